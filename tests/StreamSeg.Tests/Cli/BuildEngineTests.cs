using System.Text.RegularExpressions;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg models build-engine</c>: prebuilding TensorRT engines, and its errors where TensorRT is missing.</summary>
public class BuildEngineTests
{
    private static string OneErrorLine(CliRunner.Result r, int code)
    {
        Assert.True(code == r.ExitCode, $"exit {r.ExitCode}, expected {code}; stdout: {r.StdOut} stderr: {r.StdErr}");
        string[] errors = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errors.Length == 1 && errors[0].StartsWith("streamseg: error: ", StringComparison.Ordinal), "expected one error line, got: " + r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        return errors[0];
    }

    [TensorRtFact(available: false)]
    public void BuildEngine_WithoutTensorRt_Exit4_NamesModelAndCause_NoCacheFolder()
    {
        using var dir = new TempDirectory();
        string cache = dir.File("engines");
        string model = TestPaths.Model("yolo-seg.onnx");
        CliRunner.Result r = CliRunner.Run("models", "build-engine", model, "--cache-dir", cache);
        string error = OneErrorLine(r, 4);
        Assert.Contains($"Model '{model}'", error, StringComparison.Ordinal);
        Assert.Contains($"TensorRT cannot be loaded ({TensorRtFactAttribute.LoadError})", error, StringComparison.Ordinal);
        Assert.Empty(r.StdOut);
        Assert.False(Directory.Exists(cache), "no cache folder may be created when TensorRT cannot load");
    }

    [TensorRtFact(available: false)]
    public void BuildEngine_BareName_ResolvesUnderModelsDir()
    {
        using var dir = new TempDirectory();
        string modelsDir = Path.Combine(TestPaths.Data, "Models");
        CliRunner.Result r = CliRunner.Run("models", "build-engine", "yolo-seg", "--models-dir", modelsDir, "--cache-dir", dir.File("engines"));
        string error = OneErrorLine(r, 4);
        Assert.Contains($"Model '{Path.Combine(modelsDir, "yolo-seg.onnx")}'", error, StringComparison.Ordinal);
        Assert.Contains("TensorRT cannot be loaded", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildEngine_UnknownName_Exit4_SaysWhereItLooked()
    {
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("models", "build-engine", "no-such-model", "--models-dir", dir.Path, "--cache-dir", dir.File("engines"));
        string error = OneErrorLine(r, 4);
        Assert.Contains("Model 'no-such-model': not found", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir.Path, "no-such-model.onnx"), error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("engines")));
    }

    [Theory]
    [InlineData("--device-id", "-1")]
    [InlineData("--device-id", "gpu0")]
    [InlineData("--frame-size", "1280")]
    public void BuildEngine_BadOption_Exit2(string option, string value)
    {
        CliRunner.Result r = CliRunner.Run("models", "build-engine", TestPaths.Model("yolo-seg.onnx"), option, value);
        string error = OneErrorLine(r, 2);
        Assert.Contains($"'{option}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildEngine_RepeatedFrameSize_EachOneChecked_Exit2()
    {
        // --frame-size is repeatable (one per source size): a bad second size is refused like a bad first one.
        CliRunner.Result r = CliRunner.Run("models", "build-engine", TestPaths.Model("yolo-seg.onnx"), "--frame-size", "768x576", "--frame-size", "1280");
        string error = OneErrorLine(r, 2);
        Assert.Contains("'--frame-size': '1280' is not WIDTHxHEIGHT", error, StringComparison.Ordinal);
    }

    [TensorRtFact(available: false)]
    public void BuildEngine_SeveralFrameSizesAndBatch_Accepted_ThenNoTensorRt_Exit4()
    {
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("models", "build-engine", TestPaths.Model("yolo-seg.onnx"), "--frame-size", "768x576", "--frame-size", "720x528", "--batch", "4", "--cache-dir", dir.File("engines"));
        Assert.Contains("TensorRT cannot be loaded", OneErrorLine(r, 4), StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsHelp_DescribesBuildEngine()
    {
        CliRunner.Result r = CliRunner.Run("models", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (string option in new[] { "build-engine <model.onnx|name>", "--device-id N", "--fp32", "--cache-dir DIR", "--frame-size WxH", "--pose-size N", "--batch n" })
        {
            Assert.Contains(option, r.StdOut, StringComparison.Ordinal);
        }
    }

    [TensorRtFact]
    public void BuildEngine_WithTensorRt_BuildsOnce_ThenReuses()
    {
        using var dir = new TempDirectory();
        string model = TestPaths.Model("yolo-seg.onnx");
        CliRunner.Result first = CliRunner.Run("models", "build-engine", model, "--cache-dir", dir.Path);
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}; stdout: {first.StdOut} stderr: {first.StdErr}");
        string folder = Regex.Match(first.StdOut, @"^cache:\s+(.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        Assert.Equal(dir.Path, Path.GetDirectoryName(folder));
        string[] engines = Directory.GetFiles(folder, "*.engine");
        Assert.NotEmpty(engines);
        Assert.Matches(@"(?m)^wrote:\s+\S+\.engine \(\d", first.StdOut);
        Assert.Matches(@"(?m)^built:\s+\d+ engine file\(s\) in \d", first.StdOut);
        Assert.Matches(@"(?m)^engine:\s+TensorRT \d+\.\d+", first.StdOut);
        var stamps = engines.ToDictionary(f => f, File.GetLastWriteTimeUtc);

        CliRunner.Result second = CliRunner.Run("models", "build-engine", model, "--cache-dir", dir.Path);
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}; stdout: {second.StdOut} stderr: {second.StdErr}");
        Assert.Matches(@"(?m)^reused:\s+\d+ engine file\(s\) already in the cache", second.StdOut);
        Assert.DoesNotMatch(@"(?m)^built:", second.StdOut);
        Assert.All(stamps, s => Assert.Equal(s.Value, File.GetLastWriteTimeUtc(s.Key)));
    }
}
