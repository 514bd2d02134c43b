using System.Text.Json.Nodes;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// The people preset on two different videos through the real command: MoveNet (both pose sizes) batched across the
/// streams by splitting its graph gives the same people, box for box and keypoint for keypoint, as frame by frame.
/// </summary>
public class PoseBatchingTests
{
    private static readonly string Megamind = Path.Combine(Path.GetDirectoryName(TestPaths.SampleVideo)!, "Megamind.avi");

    /// <summary>Each frame's people (class, score, box, keypoints; not the matte's masks), by source and frame.</summary>
    private static Dictionary<(string, long), string> People(string ndjson)
    {
        var frames = new Dictionary<(string, long), string>();
        foreach (string line in File.ReadLines(ndjson))
        {
            JsonObject o = JsonNode.Parse(line)!.AsObject();
            if (o["schema"]!.GetValue<string>() != "streamseg.frame/1")
            {
                continue;
            }

            JsonArray instances = o["instances"]!.AsArray();
            foreach (JsonNode? instance in instances)
            {
                instance!.AsObject().Remove("mask");
            }

            frames[(o["source"]!.GetValue<string>(), o["frame"]!.GetValue<long>())] = instances.ToJsonString();
        }

        return frames;
    }

    [PresetModelsFact]
    public void Run_OnTheCpuWithoutBatch_MoveNetRunsFrameByFrame_AsBefore()
    {
        // The split is for GPUs and explicit --batch: on the CPU one frame already fills the cores.
        CliRunner.Result r = CliRunner.Run(
            "run", "--source", TestPaths.SampleVideo, "--source", Megamind, "--pose-model", Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "movenet-multipose.onnx"),
            "--device", "cpu", "--max-frames", "2", "--no-track");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("batching: off — no model here takes a batch (movenet-multipose.onnx: fixed batch of 1 or recurrent state)", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("split to batch", r.StdErr, StringComparison.Ordinal);
    }

    [PresetModelsFact]
    public void Run_PeoplePreset_TwoVideosBatched_SamePeopleAsFrameByFrame()
    {
        using var dir = new TempDirectory();
        string[] common = ["run", "--source", TestPaths.SampleVideo, "--source", Megamind, "--device", "cpu", "--max-frames", "6", "--no-track"];
        CliRunner.Result batched = CliRunner.Run([.. common, "--batch", "2", "--meta", dir.File("batched.ndjson")]);
        Assert.True(batched.ExitCode == 0, batched.StdErr);
        string log = batched.StdOut + batched.StdErr;
        Assert.Contains("movenet-multipose.onnx': its graph fixes a batch of 1 only after a batch-free part; split to batch across streams (batched part ", log, StringComparison.Ordinal);
        Assert.Contains("batching: up to 2 frames per inference run for movenet-multipose.onnx, movenet-multipose.onnx, rvm.onnx", log, StringComparison.Ordinal);

        CliRunner.Result single = CliRunner.Run([.. common, "--batch", "1", "--meta", dir.File("single.ndjson")]);
        Assert.True(single.ExitCode == 0, single.StdErr);
        Assert.DoesNotContain("batching:", single.StdOut + single.StdErr, StringComparison.Ordinal);

        Dictionary<(string, long), string> a = People(dir.File("batched.ndjson"));
        Dictionary<(string, long), string> b = People(dir.File("single.ndjson"));
        Assert.Equal(12, b.Count);
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        Assert.Contains(b.Values, v => v.Contains("\"keypoints\":[[", StringComparison.Ordinal));
        foreach (((string, long) key, string people) in b)
        {
            Assert.True(people == a[key], $"{key}: batched {a[key]}\nframe by frame {people}");
        }
    }
}
