using StreamSeg.Inference;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

public class TensorRtVersionTests
{
    private static readonly string[] s_maps =
    [
        "55d1c0a00000-55d1c0a02000 r--p 00000000 08:01 1311  /usr/share/dotnet/dotnet",
        "7f3a10000000-7f3a10021000 rw-p 00000000 00:00 0 ",
        "7f3a20000000-7f3a20400000 r-xp 00000000 08:01 2201  /usr/lib/x86_64-linux-gnu/libnvinfer_plugin.so.10.3.0",
        "7f3a30000000-7f3a90000000 r--p 00000000 08:01 2202  /usr/lib/x86_64-linux-gnu/libnvinfer_builder_resource.so.10.3.0",
        "7f3aa0000000-7f3ab0000000 r-xp 00000000 08:01 2203  /usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0",
        "7f3ab0000000-7f3ab0100000 r--p 10000000 08:01 2203  /usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0",
        "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
    ];

    [Fact]
    public void FindLibrary_PicksTheMainLibrary_NotPluginsOrResources()
    {
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0", TensorRtVersion.FindLibrary(s_maps));
    }

    [Fact]
    public void FindLibrary_PathWithSpaces_KeptWhole()
    {
        string[] maps = ["7f3aa0000000-7f3ab0000000 r-xp 00000000 08:01 2203      /opt/my libs/tensorrt_libs/libnvinfer.so.10"];
        Assert.Equal("/opt/my libs/tensorrt_libs/libnvinfer.so.10", TensorRtVersion.FindLibrary(maps));
    }

    [Fact]
    public void FindLibrary_NotLoadedOrDeleted_Null()
    {
        Assert.Null(TensorRtVersion.FindLibrary([s_maps[0], s_maps[1], s_maps[2], s_maps[6]]));
        Assert.Null(TensorRtVersion.FindLibrary(["7f3aa0000000-7f3ab0000000 r-xp 00000000 08:01 2203  /usr/lib/libnvinfer.so.10.3.0 (deleted)"]));
        Assert.Null(TensorRtVersion.FindLibrary([]));
    }

    [Theory]
    [InlineData("libnvinfer.so.10.3.0", "10.3.0")]
    [InlineData("libnvinfer.so.10.13.2", "10.13.2")]
    [InlineData("libnvinfer.so.10", "10")]
    [InlineData("libnvinfer.so.8.6.1.6", "8.6.1.6")]
    [InlineData("libnvinfer.so.10.x", "10")]
    [InlineData("libnvinfer.so", null)]
    [InlineData("libnvinfer_plugin.so.10.3.0", null)]
    [InlineData("libcudart.so.12.4.127", null)]
    public void FromFileName_NumbersAfterSo(string fileName, string? expected)
    {
        Assert.Equal(expected, TensorRtVersion.FromFileName(fileName));
    }

    [Theory]
    [InlineData(100300, "10.3.0")]
    [InlineData(101302, "10.13.2")]
    [InlineData(8601, "8.6.1")]
    [InlineData(8510, "8.5.10")]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    public void FromInferLibVersion_DecodesBothSchemes(int value, string? expected)
    {
        Assert.Equal(expected, TensorRtVersion.FromInferLibVersion(value));
    }

    [TensorRtFact(available: false)]
    public void Detect_TensorRtNotLoaded_Unknown()
    {
        Assert.Equal(TensorRtVersion.Unknown, TensorRtVersion.Detect());
    }
}
