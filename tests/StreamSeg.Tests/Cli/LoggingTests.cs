using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>The CLI's log lines through Microsoft.Extensions.Logging: the concise text lines, --verbose's debug lines and --log-format json.</summary>
public class LoggingTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static JsonElement[] JsonLines(string stderr)
    {
        var lines = new List<JsonElement>();
        foreach (string line in Lines(stderr))
        {
            using JsonDocument doc = JsonDocument.Parse(line); // throws (fails) on any line that is not one JSON object
            JsonElement e = doc.RootElement.Clone();
            Assert.Equal(JsonValueKind.Object, e.ValueKind);
            foreach (string key in new[] { "timestamp", "level", "category", "message" })
            {
                Assert.True(e.TryGetProperty(key, out _), $"no '{key}' in {line}");
            }

            Assert.True(DateTimeOffset.TryParse(e.GetProperty("timestamp").GetString(), out _), line);
            lines.Add(e);
        }

        return [.. lines];
    }

    [Fact]
    public void LogFormatJson_EveryLineIsAnObject_WithLevelAndMessage()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("a.avi"), 320, 240, 5);
        CliRunner.Result r = CliRunner.Run("run", "--source", clip, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--log-format", "json", "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        JsonElement[] lines = JsonLines(r.StdErr);
        Assert.Contains(lines, l => l.GetProperty("level").GetString() == "info" && l.GetProperty("message").GetString()!.StartsWith("execution provider: CPU (ONNX Runtime ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.GetProperty("message").GetString()!.StartsWith("source 'a.avi': file, 320×240", StringComparison.Ordinal));
        Assert.Contains("frames in 5, out 5", r.StdOut, StringComparison.Ordinal); // the summary stays text, on standard output
    }

    [Fact]
    public void LogFormatJson_FromTheConfigKey_AndErrorsCarryTheException()
    {
        using var dir = new TempDirectory();
        string cfg = dir.File("c.yaml");
        File.WriteAllText(cfg, "sources:\n  - uri: x.mp4\nmodel: /nope/model.onnx\ndevice: cpu\nlog_format: json\n");
        CliRunner.Result r = CliRunner.Run("run", "--config", cfg);
        Assert.Equal(4, r.ExitCode);
        JsonElement error = Assert.Single(JsonLines(r.StdErr), l => l.GetProperty("level").GetString() == "error");
        Assert.Equal("error", error.GetProperty("level").GetString());
        Assert.Contains("/nope/model.onnx", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("ModelLoadException", error.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_AddsDebugLines_OnlyThen()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("a.avi"), 320, 240, 3);
        string[] args = ["run", "--source", clip, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--meta", dir.File("m.ndjson")];
        CliRunner.Result quiet = CliRunner.Run(args);
        CliRunner.Result verbose = CliRunner.Run([.. args, "--verbose"]);
        Assert.True(quiet.ExitCode == 0 && verbose.ExitCode == 0, quiet.StdErr + verbose.StdErr);
        Assert.DoesNotContain("streamseg: debug:", quiet.StdErr, StringComparison.Ordinal);
        Assert.Contains("streamseg: debug: sink 'metadata': edge of 8 frames, Wait when full", verbose.StdErr, StringComparison.Ordinal);

        // Every line on standard error is one of StreamSeg's concise lines.
        Assert.All(Lines(verbose.StdErr), l => Assert.Matches("^streamseg: (info|warn|debug|progress): ", l));
    }
}
