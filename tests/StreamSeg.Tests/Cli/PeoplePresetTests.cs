using System.Text.Json;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>The default 'people' preset on the real sample video with the real imported models.</summary>
public class PeoplePresetTests
{
    private const string Vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    private static JsonElement[] Lines(string path) =>
        [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [PresetModelsFact]
    public void People_OnVtest_FindsTrackedPeopleWithKeypointsAndMasks()
    {
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("run", "--source", Vtest, "--device", "cpu", "--max-frames", "40", "--out", dir.File("p.mp4"), "--meta", dir.File("p.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("preset people: movenet-multipose + rvm", r.StdErr, StringComparison.Ordinal);
        Ffprobe.StreamInfo video = Ffprobe.Probe(dir.File("p.mp4"));
        Assert.Equal(("h264", 768, 576, 40), (video.CodecName, video.Width, video.Height, video.FrameCount));

        JsonElement[] frames = Lines(dir.File("p.ndjson"));
        Assert.Equal(40, frames.Length);
        int framesWithTwoPeople = 0;
        var idFrames = new Dictionary<int, int>();
        foreach (JsonElement f in frames)
        {
            int people = 0;
            foreach (JsonElement i in f.GetProperty("instances").EnumerateArray())
            {
                Assert.Equal("person", i.GetProperty("class").GetString());
                int id = i.GetProperty("track_id").GetInt32();
                idFrames[id] = idFrames.GetValueOrDefault(id) + 1;
                JsonElement kps = i.GetProperty("keypoints");
                Assert.Equal(17, kps.GetArrayLength());
                float[] box = [.. i.GetProperty("box").EnumerateArray().Select(v => v.GetSingle())];

                // Confident keypoints lie in (or right next to) the person's box.
                foreach (JsonElement kp in kps.EnumerateArray().Where(k => k[2].GetSingle() > 0.3f))
                {
                    Assert.InRange(kp[0].GetSingle(), box[0] - 8, box[2] + 8);
                    Assert.InRange(kp[1].GetSingle(), box[1] - 8, box[3] + 8);
                }

                // The matte gave this person a mask, inside their box.
                JsonElement mask = i.GetProperty("mask");
                if (mask.ValueKind == JsonValueKind.Object)
                {
                    byte[] pixels = CocoRle.Decode([.. mask.GetProperty("counts").EnumerateArray().Select(v => v.GetInt32())], 576, 768);
                    int area = 0;
                    for (int p = 0; p < pixels.Length; p++)
                    {
                        if (pixels[p] != 0)
                        {
                            area++;
                            int x = p % 768; // Decode returns the mask row-major
                            int y = p / 768;
                            // The box is ByteTrack's Kalman box (as upstream reports it), not the detection box the
                            // mask was cut to, so it may sit a few pixels off the mask.
                            Assert.InRange(x, (int)box[0] - 8, (int)box[2] + 8);
                            Assert.InRange(y, (int)box[1] - 8, (int)box[3] + 8);
                        }
                    }

                    if (area > 150)
                    {
                        people++;
                    }
                }
            }

            framesWithTwoPeople += people >= 2 ? 1 : 0;
        }

        Assert.True(framesWithTwoPeople >= 30, $"only {framesWithTwoPeople} of 40 frames had two masked people");

        // Ids are stable: the longest-lived track is there for most of the clip.
        Assert.True(idFrames.Values.Max() >= 25, "longest track: " + idFrames.Values.Max());
    }

    [PresetModelsFact]
    public void People_Frames0And100_FindTheFarPedestriansOfTheTfJsReferenceAt512()
    {
        // Default settings (MoveNet at 512 and 256, merged): every person TF.js MoveNet finds at long side 512 on
        // frames 0 and 100 (oracle/movenet-multipose), the far ones that 256 misses included, each once.
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("run", "--source", Vtest, "--device", "cpu", "--max-frames", "101", "--no-track", "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("(pose input long side 512 and 256)", r.StdErr, StringComparison.Ordinal);
        JsonElement[] frames = Lines(dir.File("m.ndjson"));
        AssertMatchesReference(frames[0], "vtest_f000.long512.json", 3);
        AssertMatchesReference(frames[100], "vtest_f100.long512.json", 5);
    }

    [PresetModelsFact]
    public void People_Messi_FindsTheCloseUpPlayerWhole()
    {
        // messi5.jpg (548×342, one player filling the frame): 512 alone gave half the player (score 0.29); TF.js at
        // 256 gives the whole player, score 0.63, box [67,62,457,335].
        JsonElement frame = RunOnImage("messi5.jpg");
        JsonElement[] got = [.. frame.GetProperty("instances").EnumerateArray()];
        Assert.Single(got);
        Assert.Equal(0.63f, got[0].GetProperty("score").GetSingle(), 0.02f);
        AssertBox([67, 62, 457, 335], got[0].GetProperty("box"), 3f);
    }

    [PresetModelsFact]
    public void People_Basketball_FindsBothPlayersAsTfJsAt256()
    {
        // basketball1.png (640×480, two players filling the frame): 512 alone found one; TF.js at 256 finds both.
        JsonElement frame = RunOnImage("basketball1.png");
        AssertMatchesReference(frame, "basketball1.long256.json", 2);
    }

    private static JsonElement RunOnImage(string name)
    {
        using var dir = new TempDirectory();
        string images = Directory.CreateDirectory(dir.File("images")).FullName;
        File.Copy(Path.Combine(Path.GetDirectoryName(Vtest)!, name), Path.Combine(images, name));
        CliRunner.Result r = CliRunner.Run("run", "--source", images, "--device", "cpu", "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        return Assert.Single(Lines(dir.File("m.ndjson")));
    }

    private static void AssertMatchesReference(JsonElement frame, string reference, int people)
    {
        using JsonDocument oracle = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Data, "Oracle", "movenet-multipose", reference)));
        var expected = oracle.RootElement.GetProperty("persons").EnumerateArray()
            .Where(p => p.GetProperty("score").GetSingle() > 0.2f)
            .Select(p => (Score: p.GetProperty("score").GetSingle(), Box: p.GetProperty("box")))
            .ToList();
        Assert.Equal(people, expected.Count);

        JsonElement[] got = [.. frame.GetProperty("instances").EnumerateArray()];
        Assert.Equal(expected.Count, got.Length);
        foreach ((float score, JsonElement box) in expected)
        {
            // The decoders here and the reference's PNG differ by a few grey levels: scores within 0.03, boxes within 3 px.
            float[] want = [box.GetProperty("x0").GetSingle(), box.GetProperty("y0").GetSingle(), box.GetProperty("x1").GetSingle(), box.GetProperty("y1").GetSingle()];
            JsonElement match = got.OrderBy(g => Math.Abs(g.GetProperty("box")[0].GetSingle() - want[0]) + Math.Abs(g.GetProperty("box")[1].GetSingle() - want[1])).First();
            Assert.Equal(score, match.GetProperty("score").GetSingle(), 0.03f);
            AssertBox(want, match.GetProperty("box"), 3f);
        }
    }

    private static void AssertBox(float[] expected, JsonElement box, float tolerance)
    {
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], box[i].GetSingle(), tolerance);
        }
    }

    [PresetModelsFact]
    public void People_WithCenterNet_AddsOtherCocoClasses()
    {
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("run", "--source", Vtest, "--device", "cpu", "--max-frames", "3", "--detector", "centernet", "--no-track", "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        JsonElement[] frames = Lines(dir.File("m.ndjson"));
        string[] classes = [.. frames.SelectMany(f => f.GetProperty("instances").EnumerateArray()).Select(i => i.GetProperty("class").GetString()!).Distinct()];
        Assert.Contains("person", classes);
        Assert.Contains(classes, c => c is "car" or "truck");
    }

    [Fact]
    public void People_WithoutModels_SaysHowToFetchThem()
    {
        using var dir = new TempDirectory();
        CliRunner.Result r = CliRunner.Run("run", "--source", Vtest, "--device", "cpu", "--models-dir", dir.Path);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("streamseg models fetch", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir.Path, "movenet-multipose.onnx"), r.StdErr, StringComparison.Ordinal);
    }
}
