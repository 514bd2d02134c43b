using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Each bad input gives one clear line naming it, the documented exit code, and no stack trace.</summary>
public class BadInputTests
{
    private static void AssertOneLineError(CliRunner.Result r, int code, params string[] expected)
    {
        Assert.True(code == r.ExitCode, $"exit {r.ExitCode}, expected {code}; stderr: {r.StdErr}");
        string[] errors = r.StdErr.Split('\n').Where(l => l.StartsWith("streamseg: error:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, "expected one error line, got: " + r.StdErr);
        // The error may continue on indented lines (a model refusal lists every adapter's expected tensors).
        string message = r.StdErr[r.StdErr.IndexOf("streamseg: error:", StringComparison.Ordinal)..];
        foreach (string e in expected)
        {
            Assert.Contains(e, message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSourceFile_Exit3()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", "/nope/missing.mp4", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu");
        AssertOneLineError(r, 3, "/nope/missing.mp4", "file not found");
    }

    [Fact]
    public void SourceThatIsNotVideo_Exit3()
    {
        using var dir = new TempDirectory();
        string path = dir.File("notes.mp4");
        File.WriteAllText(path, "definitely not a video\n");
        CliRunner.Result r = CliRunner.Run("run", "--source", path, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu");
        AssertOneLineError(r, 3, path);
    }

    [Fact]
    public void UnreachableRtsp_Exit3_CredentialsRedacted()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", "rtsp://alice:s3cret@127.0.0.1:9/cam", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu");
        AssertOneLineError(r, 3, "rtsp://***@127.0.0.1:9/cam");
        Assert.DoesNotContain("s3cret", r.StdErr + r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptModel_Exit4()
    {
        using var dir = new TempDirectory();
        string path = dir.File("broken.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        CliRunner.Result r = CliRunner.Run("run", "--source", "x.mp4", "--model", path, "--device", "cpu");
        AssertOneLineError(r, 4, path, "ONNX");
    }

    [Fact]
    public void MissingModel_Exit4()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", "x.mp4", "--model", "/nope/model.onnx", "--device", "cpu");
        AssertOneLineError(r, 4, "/nope/model.onnx", "not found");
    }

    [Fact]
    public void ModelFittingNoAdapter_Exit4_ListsShapes()
    {
        string path = TestPaths.Model("unsupported-detect.onnx");
        CliRunner.Result r = CliRunner.Run("run", "--source", "x.mp4", "--model", path, "--device", "cpu");
        AssertOneLineError(r, 4, path, "yolo-seg", "[");
    }

    [Fact]
    public void UnknownConfigKey_Exit2()
    {
        using var dir = new TempDirectory();
        string cfg = dir.File("c.yaml");
        File.WriteAllText(cfg, "sources:\n  - uri: a.mp4\nmodle: x.onnx\n");
        CliRunner.Result r = CliRunner.Run("run", "--config", cfg);
        AssertOneLineError(r, 2, cfg, "unknown key 'modle'");
    }

    [Fact]
    public void UnknownOption_Exit2() =>
        AssertOneLineError(CliRunner.Run("run", "--sauce", "a.mp4"), 2, "--sauce");

    [Fact]
    public void UnwritableOutput_Exit5()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", "x.mp4", "--model", TestPaths.Model("yolo-seg.onnx"), "--out", "/proc/streamseg/out.mp4");
        AssertOneLineError(r, 5, "/proc/streamseg/out.mp4", "--out");
    }

    [NoGpuFact]
    public void ForcedCudaWithoutGpu_Exit4_SaysWhy()
    {
        CliRunner.Result r = CliRunner.Run("run", "--source", "x.mp4", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cuda");
        AssertOneLineError(r, 4, "cuda", "CUDA:");
    }
}
