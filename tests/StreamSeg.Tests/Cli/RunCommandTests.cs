using System.Text.Json;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>End to end through the real command: generated video → fixture models → tracking → overlay → H.264 MP4 + NDJSON.</summary>
public class RunCommandTests
{
    private static JsonElement ExpectedCase(string model, int width, int height)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Model(model + ".expected.json")));
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("frame_width").GetInt32() == width && c.GetProperty("frame_height").GetInt32() == height)
            {
                return c.Clone();
            }
        }

        throw new InvalidOperationException($"no {width}×{height} case in {model}.expected.json");
    }

    [Fact]
    public void Run_SegAndPoseOnVideo_WritesEveryFrameAndTheExpectedInstances()
    {
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("clip.avi"), 640, 480, 30);
        CliRunner.Result r = CliRunner.Run(
            "run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--pose-model", TestPaths.Model("yolo-pose.onnx"),
            "--device", "cpu", "--no-track", "--out", dir.File("out.mp4"), "--meta", dir.File("meta.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("frames in 30, out 30, dropped 0", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("execution provider: CPU", r.StdErr, StringComparison.Ordinal);

        Ffprobe.StreamInfo info = Ffprobe.Probe(dir.File("out.mp4"));
        Assert.Equal(("h264", 640, 480, 30), (info.CodecName, info.Width, info.Height, info.FrameCount));

        string[] lines = File.ReadAllLines(dir.File("meta.ndjson"));
        Assert.Equal(30, lines.Length);
        JsonElement expected = ExpectedCase("yolo-seg", 640, 480);
        JsonElement expectedPose = ExpectedCase("yolo-pose", 640, 480);
        int expectedSeg = expected.GetProperty("instances").GetArrayLength();
        for (int f = 0; f < lines.Length; f++)
        {
            using JsonDocument line = JsonDocument.Parse(lines[f]);
            JsonElement root = line.RootElement;
            Assert.Equal("streamseg.frame/1", root.GetProperty("schema").GetString());
            Assert.Equal(f, root.GetProperty("frame").GetInt64());
            JsonElement[] got = [.. root.GetProperty("instances").EnumerateArray()];

            // The segmentation instances come first, exactly as decoded; unmatched poses may follow as extra persons.
            Assert.InRange(got.Length, expectedSeg, expectedSeg + expectedPose.GetProperty("instances").GetArrayLength());
            int i = 0;
            foreach (JsonElement e in expected.GetProperty("instances").EnumerateArray())
            {
                JsonElement g = got[i++];
                Assert.Equal(e.GetProperty("class_id").GetInt32(), g.GetProperty("class_id").GetInt32());
                Assert.Equal(e.GetProperty("score").GetSingle(), g.GetProperty("score").GetSingle(), 4);
                float[] eb = [.. e.GetProperty("box").EnumerateArray().Select(v => v.GetSingle())];
                float[] gb = [.. g.GetProperty("box").EnumerateArray().Select(v => v.GetSingle())];
                for (int k = 0; k < 4; k++)
                {
                    Assert.Equal(eb[k], gb[k], 2);
                }

                JsonElement mask = g.GetProperty("mask");
                int[] counts = [.. mask.GetProperty("counts").EnumerateArray().Select(v => v.GetInt32())];
                byte[] pixels = CocoRle.Decode(counts, 480, 640);
                Assert.Equal(e.GetProperty("mask").GetProperty("area").GetInt32(), pixels.Count(b => b != 0));
            }

            // Every pose found a home: the person instances carry keypoints.
            int withKeypoints = got.Count(g => g.GetProperty("keypoints").ValueKind == JsonValueKind.Array && g.GetProperty("keypoints").GetArrayLength() == 17
                && g.GetProperty("keypoints").EnumerateArray().Any(kp => kp[2].GetSingle() > 0));
            Assert.Equal(expectedPose.GetProperty("instances").GetArrayLength(), withKeypoints);
        }
    }

    [Fact]
    public void Run_WithTracking_IdsAreStableAcrossFrames()
    {
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("clip.avi"), 640, 480, 20);
        CliRunner.Result r = CliRunner.Run("run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = File.ReadAllLines(dir.File("m.ndjson"));
        Assert.Equal(20, lines.Length);
        string? first = null;
        foreach (string l in lines)
        {
            using JsonDocument d = JsonDocument.Parse(l);
            int[] ids = [.. d.RootElement.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("track_id").GetInt32()).Order()];
            Assert.NotEmpty(ids);
            string key = string.Join(',', ids);
            first ??= key;
            Assert.Equal(first, key);
        }
    }

    [Fact]
    public void Run_TwoSources_ShareTheModelAndWriteOneVideoEach()
    {
        using var dir = new TempDirectory();
        string a = CliRunner.MakeVideo(dir.File("a.avi"), 320, 240, 12);
        string b = CliRunner.MakeVideo(dir.File("b.avi"), 640, 480, 8);
        CliRunner.Result r = CliRunner.Run("run", "--source", a, "--source", b, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(12, Ffprobe.Probe(dir.File("o.0-a_avi.mp4")).FrameCount);
        Ffprobe.StreamInfo second = Ffprobe.Probe(dir.File("o.1-b_avi.mp4"));
        Assert.Equal((640, 480, 8), (second.Width, second.Height, second.FrameCount));
        string[] lines = File.ReadAllLines(dir.File("m.ndjson"));
        Assert.Equal(20, lines.Length);
        Assert.Equal(12, lines.Count(l => l.Contains("\"source\":\"a.avi\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_BareModelName_IsLookedUpInTheModelsFolder()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("a.avi"), 320, 240, 3);
        string models = Path.GetDirectoryName(TestPaths.Model("yolo-seg.onnx"))!;
        CliRunner.Result r = CliRunner.Run("run", "--source", clip, "--model", "yolo-seg", "--models-dir", models, "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains($"model '{Path.Combine(models, "yolo-seg.onnx")}': adapter yolo-seg", r.StdErr, StringComparison.Ordinal);

        CliRunner.Result missing = CliRunner.Run("run", "--source", clip, "--model", "nope", "--models-dir", models, "--device", "cpu");
        Assert.Equal(4, missing.ExitCode);
        Assert.Contains($"Model 'nope': not found (neither a file nor '{Path.Combine(models, "nope.onnx")}'", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsInfo_DescribesAdapterAndClasses()
    {
        CliRunner.Result r = CliRunner.Run("models", "info", TestPaths.Model("yolo-seg.onnx"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("adapter: yolo-seg (segment)", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("input:   images Float[1,3,320,320]", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("o'clock", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ListsCommandsAndRunOptions()
    {
        CliRunner.Result top = CliRunner.Run("--help");
        Assert.Equal(0, top.ExitCode);
        Assert.Contains("streamseg run --source", top.StdOut, StringComparison.Ordinal);
        CliRunner.Result run = CliRunner.Run("run", "--help");
        Assert.Contains("--pose-model", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("--device", run.StdOut, StringComparison.Ordinal);
    }
}
