using StreamSeg.Cli.Serve;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// Issue 14: `serve` has no sources at start, so the frame sizes its TensorRT engines are built for come from
/// `--frame-size` (default 1280x720), as `models build-engine` takes them; a bad value names the option.
/// </summary>
public class ServeFrameSizeTests
{
    [Fact]
    public void FrameSizes_ParsedInOrder_RepeatsOnce_NoneMeansTheDefault()
    {
        Assert.Equal([new FrameSize(1920, 1080), new FrameSize(640, 480)], ServeCommand.ParseFrameSizes(["1920x1080", "640x480", "1920x1080"]));
        Assert.Null(ServeCommand.ParseFrameSizes(null));
        Assert.Null(ServeCommand.ParseFrameSizes([]));

        var none = new ServeSettings("n", 0, null);
        Assert.Equal([new FrameSize(1280, 720)], none.ExpectedFrameSizes);
        var given = new ServeSettings("n", 0, null, FrameSizes: [new FrameSize(768, 576)]);
        Assert.Equal([new FrameSize(768, 576)], given.ExpectedFrameSizes);
    }

    [Fact]
    public void FrameSize_NotWidthByHeight_IsAnErrorNamingTheOption()
    {
        var ex = Assert.Throws<ConfigException>(() => ServeCommand.ParseFrameSizes(["1280x720", "big"]));
        Assert.Contains("Option '--frame-size': 'big' is not WIDTHxHEIGHT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_WithABadFrameSize_ExitsWithTheMessage_BeforeLoadingAnything()
    {
        CliRunner.Result r = CliRunner.Run("serve", "--frame-size", "12x", "--device", "cpu");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'--frame-size': '12x' is not WIDTHxHEIGHT", r.StdErr, StringComparison.Ordinal);
    }
}
