using System.Text.Json.Nodes;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Cross-stream batching through the real command: three copies of vtest.avi share one batched session.</summary>
public class BatchingTests
{
    /// <summary>Each frame's line without the fields that depend on timing (capture time, stage times).</summary>
    private static Dictionary<(string, long), string> Frames(string ndjson)
    {
        var frames = new Dictionary<(string, long), string>();
        foreach (string line in File.ReadLines(ndjson))
        {
            JsonObject o = JsonNode.Parse(line)!.AsObject();
            if (o["schema"]!.GetValue<string>() != "streamseg.frame/1")
            {
                continue;
            }

            o.Remove("capture_time");
            o.Remove("timings_ms");
            frames[(o["source"]!.GetValue<string>(), o["frame"]!.GetValue<long>())] = o.ToJsonString();
        }

        return frames;
    }

    [Fact]
    public void Run_NoModelTakesABatch_BatchingIsOff()
    {
        CliRunner.Result r = CliRunner.Run(
            "run", "--source", TestPaths.SampleVideo, "--source", TestPaths.SampleVideo, "--model", TestPaths.Model("yolo-seg.onnx"),
            "--device", "cpu", "--max-frames", "3", "--batch", "4");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("batching: off — no model here takes a batch (yolo-seg.onnx: fixed batch of 1 or recurrent state)", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("source 'vtest.avi' is given more than once: this one is 'vtest.avi-2'", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("inference calls", r.StdOut, StringComparison.Ordinal); // no batching stage ran
    }

    [Fact]
    public void Run_ModelThatOnlyPretendsToBatch_FoundAtStartUp_RunsFrameByFrame()
    {
        CliRunner.Result r = CliRunner.Run(
            "run", "--source", TestPaths.SampleVideo, "--source", TestPaths.SampleVideo, "--model", TestPaths.Model("yolo-pose-batch-trap.onnx"),
            "--device", "cpu", "--max-frames", "5");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("declares a free batch dimension but a batch of 2 fails", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("batching: off", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("frames in 10, out 10", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ThreeCopiesBatched_SameResultsAsFrameByFrame_AndDistinctSourceIds()
    {
        using var dir = new TempDirectory();
        string[] common =
        [
            "run", "--source", TestPaths.SampleVideo, "--source", TestPaths.SampleVideo, "--source", TestPaths.SampleVideo,
            "--model", TestPaths.Model("yolo-seg-batch.onnx"), "--device", "cpu", "--max-frames", "20",
        ];
        CliRunner.Result batched = CliRunner.Run([.. common, "--batch", "3", "--meta", dir.File("batched.ndjson")]);
        Assert.True(batched.ExitCode == 0, batched.StdErr);
        Assert.Contains("batching: up to 3 frames per inference run for yolo-seg-batch.onnx", batched.StdOut + batched.StdErr, StringComparison.Ordinal);
        CliRunner.Result single = CliRunner.Run([.. common, "--batch", "1", "--meta", dir.File("single.ndjson")]);
        Assert.True(single.ExitCode == 0, single.StdErr);
        Assert.DoesNotContain("batching:", single.StdOut + single.StdErr, StringComparison.Ordinal);

        Dictionary<(string, long), string> a = Frames(dir.File("batched.ndjson"));
        Dictionary<(string, long), string> b = Frames(dir.File("single.ndjson"));
        Assert.Equal(60, a.Count);
        Assert.Equal(["vtest.avi", "vtest.avi-2", "vtest.avi-3"], a.Keys.Select(k => k.Item1).Distinct().Order());
        Assert.Contains(a.Values, v => v.Contains("\"class\":", StringComparison.Ordinal));
        foreach (((string, long) key, string line) in b)
        {
            Assert.True(a.TryGetValue(key, out string? other), $"batched run lacks {key}");
            Assert.Equal(line, other);
        }
    }
}
