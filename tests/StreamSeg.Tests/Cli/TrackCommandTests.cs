using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg track</c>: replays detection files through the pipeline's tracker and writes reference-format tracks.</summary>
public sealed class TrackCommandTests
{
    public static TheoryData<string> Sequences => [.. ByteTrackReference.Sequences];

    [ByteTrackReferenceTheory]
    [MemberData(nameof(Sequences))]
    public void Track_ReferenceFile_WritesUpstreamsTracks(string sequence)
    {
        using var dir = new TempDirectory();
        string reference = ByteTrackReference.File(sequence);

        CliRunner.Result r = CliRunner.Run("track", "--detections", reference, "--out", dir.File("tracks.json"));

        Assert.True(r.ExitCode == 0, r.StdErr);
        using JsonDocument want = JsonDocument.Parse(File.ReadAllBytes(reference));
        using JsonDocument got = JsonDocument.Parse(File.ReadAllBytes(dir.File("tracks.json")));
        Assert.Equal(want.RootElement.GetProperty("params").GetProperty("max_time_lost").GetInt32(), got.RootElement.GetProperty("params").GetProperty("max_time_lost").GetInt32());
        JsonElement[] wantFrames = [.. want.RootElement.GetProperty("frames").EnumerateArray()];
        JsonElement[] gotFrames = [.. got.RootElement.GetProperty("frames").EnumerateArray()];
        Assert.Equal(wantFrames.Length, gotFrames.Length);
        for (int f = 0; f < wantFrames.Length; f++)
        {
            Assert.Equal(wantFrames[f].GetProperty("frame").GetInt32(), gotFrames[f].GetProperty("frame").GetInt32());
            foreach (string list in new[] { "tracks", "unconfirmed", "lost" })
            {
                Dictionary<int, JsonElement> w = ById(wantFrames[f].GetProperty(list));
                Dictionary<int, JsonElement> g = ById(gotFrames[f].GetProperty(list));
                Assert.True(w.Keys.Order().SequenceEqual(g.Keys.Order()), $"frame {f + 1} {list}: [{string.Join(", ", g.Keys.Order())}], upstream [{string.Join(", ", w.Keys.Order())}]");
                foreach ((int id, JsonElement wt) in w)
                {
                    double[] wb = [.. wt.GetProperty("tlbr").EnumerateArray().Select(v => v.GetDouble())];
                    double[] gb = [.. g[id].GetProperty("tlbr").EnumerateArray().Select(v => v.GetDouble())];
                    Assert.True(wb.Zip(gb).All(p => Math.Abs(p.First - p.Second) <= 1e-3), $"frame {f + 1} {list} track {id}: [{string.Join(", ", gb)}], upstream [{string.Join(", ", wb)}]");
                    if (list != "lost")
                    {
                        Assert.Equal(wt.GetProperty("det_index").GetInt32(), g[id].GetProperty("det_index").GetInt32());
                        Assert.Equal(wt.GetProperty("score").GetDouble(), g[id].GetProperty("score").GetDouble());
                    }
                }
            }
        }
    }

    [Fact]
    public void Track_FrameNdjson_TracksEachSourceAndTakesTheFrameRateFromTimestamps()
    {
        using var dir = new TempDirectory();
        string input = dir.File("meta.ndjson");

        // Two sources at 10 fps (100 ms apart): cam0 has one person walking right, cam1 two still people.
        var lines = new StringBuilder();
        for (int t = 0; t < 5; t++)
        {
            lines.AppendLine(FrameLine("cam0", 0, t, Instance(100 + (5 * t), 100, 150 + (5 * t), 250, 0.9)));
            lines.AppendLine(FrameLine("cam1", 1, t, Instance(300, 100, 350, 250, 0.8), Instance(500, 100, 550, 250, 0.7)));
        }

        File.WriteAllText(input, lines.ToString());

        CliRunner.Result r = CliRunner.Run("track", "--detections", input, "--out", dir.File("tracks.json"));

        Assert.True(r.ExitCode == 0, r.StdErr);
        using JsonDocument got = JsonDocument.Parse(File.ReadAllBytes(dir.File("tracks.json")));
        JsonElement p = got.RootElement.GetProperty("params");
        Assert.Equal(10.0, p.GetProperty("frame_rate").GetDouble());
        Assert.Equal(10, p.GetProperty("max_time_lost").GetInt32());
        JsonElement[] frames = [.. got.RootElement.GetProperty("frames").EnumerateArray()];
        Assert.Equal(10, frames.Length);
        JsonElement last1 = frames[^1];
        Assert.Equal("cam1", last1.GetProperty("source").GetString());
        Assert.Equal(4, last1.GetProperty("source_frame").GetInt32());
        Assert.Equal(5, last1.GetProperty("frame").GetInt32());
        Assert.Equal([1, 2], last1.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("track_id").GetInt32()).Order());
        Assert.Equal([1], frames[^2].GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("track_id").GetInt32()));
        Assert.Contains("track: 10 frames", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Track_Flags_OverrideTheFilesSettings()
    {
        using var dir = new TempDirectory();
        string input = dir.File("meta.ndjson");
        File.WriteAllText(input, FrameLine("cam0", 0, 0, Instance(100, 100, 150, 250, 0.3)) + "\n");

        // At the default track_thresh 0.5 a 0.3 person starts nothing; at 0.2 it starts a track (0.3 ≥ 0.2 + 0.1).
        CliRunner.Result r = CliRunner.Run("track", "--detections", input, "--track-thresh", "0.2", "--frame-rate", "15", "--track-buffer", "60", "--match-thresh", "0.7", "--mot20");

        Assert.True(r.ExitCode == 0, r.StdErr);
        using JsonDocument got = JsonDocument.Parse(r.StdOut);
        JsonElement p = got.RootElement.GetProperty("params");
        Assert.Equal(0.2, p.GetProperty("track_thresh").GetDouble());
        Assert.Equal(0.7, p.GetProperty("match_thresh").GetDouble());
        Assert.Equal(30, p.GetProperty("max_time_lost").GetInt32());
        Assert.True(p.GetProperty("mot20").GetBoolean());
        Assert.Single(got.RootElement.GetProperty("frames")[0].GetProperty("tracks").EnumerateArray());
        Assert.DoesNotContain("fps assumed", r.StdErr, StringComparison.Ordinal);

        // A one-frame file has no two timestamps, so no frame rate of its own: without the flag, 30 fps is assumed and said.
        Assert.Contains("30 fps assumed", CliRunner.Run("track", "--detections", input, "--out", dir.File("t.json")).StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all\n", "not JSON")]
    [InlineData("{\"frames\": 3}", "expected a ByteTrack reference object with a \"frames\" array")]
    [InlineData("{\"frames\": [{\"detections\": [[1, 2, 3]]}]}", "frames[0].detections[0]: expected [x1, y1, x2, y2, score]")]
    [InlineData("{\"schema\":\"streamseg.frame/1\",\"instances\":[{\"box\":[1,2,3],\"score\":0.5}]}\n", "line 1: instances[0].box: expected [x1, y1, x2, y2]")]
    public void Track_BadFile_FailsWithTheFileAndWhatWasExpected(string content, string expected)
    {
        using var dir = new TempDirectory();
        string input = dir.File("bad.json");
        File.WriteAllText(input, content);

        CliRunner.Result r = CliRunner.Run("track", "--detections", input);

        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"Detections file '{input}'", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(expected, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Track_MissingFileOrBadFlag_FailsWithItsExitCode()
    {
        using var dir = new TempDirectory();
        CliRunner.Result missing = CliRunner.Run("track", "--detections", dir.File("absent.json"));
        File.WriteAllText(dir.File("one.ndjson"), FrameLine("cam0", 0, 0) + "\n");
        CliRunner.Result badFlag = CliRunner.Run("track", "--detections", dir.File("one.ndjson"), "--track-thresh", "1.5");
        CliRunner.Result noFile = CliRunner.Run("track");

        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("absent.json", missing.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, badFlag.ExitCode);
        Assert.Contains("--track-thresh 1.5: expected a score in 0..1", badFlag.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, noFile.ExitCode);
        Assert.Contains("--detections", noFile.StdErr, StringComparison.Ordinal);
    }

    private static Dictionary<int, JsonElement> ById(JsonElement list) =>
        list.EnumerateArray().ToDictionary(t => t.GetProperty("track_id").GetInt32());

    private static string Instance(double x1, double y1, double x2, double y2, double score) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"track_id\":null,\"class_id\":0,\"class\":\"person\",\"score\":{score},\"box\":[{x1},{y1},{x2},{y2}],\"keypoints\":null}}");

    private static string FrameLine(string source, int sourceIndex, int frame, params string[] instances) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"schema\":\"streamseg.frame/1\",\"source\":\"{source}\",\"source_index\":{sourceIndex},\"frame\":{frame},\"pts_ms\":{frame * 100},\"capture_time\":null,\"discontinuity\":false,\"width\":768,\"height\":576,\"timings_ms\":{{}},\"instances\":[{string.Join(",", instances)}]}}");
}
