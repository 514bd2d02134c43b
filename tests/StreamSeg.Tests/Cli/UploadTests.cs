using System.Text.Json.Nodes;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// <c>--upload uint8</c> (the GPU path, forced here on the CPU): models get their pixel preprocessing prepended as a
/// graph and are fed BGR bytes. Every result must be the same as with the CPU-made float tensors.
/// </summary>
public class UploadTests
{
    private static List<string> FrameLines(string ndjson)
    {
        var lines = new List<string>();
        foreach (string line in File.ReadLines(ndjson))
        {
            JsonObject o = JsonNode.Parse(line)!.AsObject();
            o.Remove("capture_time");
            o.Remove("timings_ms");
            lines.Add(o.ToJsonString());
        }

        return lines;
    }

    private static (CliRunner.Result Result, List<string> Lines) Run(TempDirectory dir, string upload, params string[] args)
    {
        string meta = dir.File($"{upload}.ndjson");
        CliRunner.Result r = CliRunner.Run([.. args, "--device", "cpu", "--upload", upload, "--meta", meta]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return (r, FrameLines(meta));
    }

    [Fact]
    public void Uint8_BatchedFixture_SameResultsAsFloat()
    {
        using var dir = new TempDirectory();
        string[] args = ["run", "--source", TestPaths.SampleVideo, "--source", TestPaths.SampleVideo, "--batch", "2", "--max-frames", "15", "--model", TestPaths.Model("yolo-seg-batch.onnx")];
        (CliRunner.Result bytes, List<string> a) = Run(dir, "uint8", args);
        (CliRunner.Result floats, List<string> b) = Run(dir, "float", args);
        Assert.Contains("fed as uint8 BGR", bytes.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("fed as uint8 BGR", floats.StdErr, StringComparison.Ordinal);
        Assert.Equal(30, a.Count);
        Assert.Contains(a, l => l.Contains("\"class\":", StringComparison.Ordinal));
        Assert.Equal(b.Order(StringComparer.Ordinal), a.Order(StringComparer.Ordinal));
    }

    [PresetModelsFact]
    public void Uint8_PeoplePreset_SameResultsAsFloat()
    {
        using var dir = new TempDirectory();
        string[] args = ["run", "--source", TestPaths.SampleVideo, "--max-frames", "8"];
        (CliRunner.Result bytes, List<string> a) = Run(dir, "uint8", args);
        (_, List<string> b) = Run(dir, "float", args);
        Assert.Contains("input long side 512 (Nhwc, follows the frame's aspect), fed as uint8 BGR", bytes.StdErr, StringComparison.Ordinal);
        Assert.Contains("input src (frame size, Nhwc), fed as uint8 BGR", bytes.StdErr, StringComparison.Ordinal);
        Assert.Equal(8, a.Count);
        Assert.Contains(a, l => l.Contains("\"keypoints\":[", StringComparison.Ordinal));
        Assert.Equal(b, a);
    }

    [Fact]
    public void Upload_UnknownValue_IsAConfigError()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", TestPaths.SampleVideo, "--model", TestPaths.Model("yolo-seg.onnx"), "--upload", "half");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("upload 'half' is not one of auto, uint8, float", r.StdErr, StringComparison.Ordinal);
    }
}
