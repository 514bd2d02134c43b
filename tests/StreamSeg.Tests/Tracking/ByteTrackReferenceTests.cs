using System.Text.Json;
using StreamSeg.Cli.Track;
using StreamSeg.Decode;
using StreamSeg.Tests.Support;
using StreamSeg.Tracking;

namespace StreamSeg.Tests.Tracking;

/// <summary>
/// ByteTracker against the outputs of the original ByteTrack (ifzhang/ByteTrack d1bf019) on the reference sequences:
/// the same ids, the same confirmed, unconfirmed and lost tracks on every frame, Kalman boxes within 1e-3 px, and
/// each track's matched detection.
/// </summary>
public sealed class ByteTrackReferenceTests
{
    private const double Tolerance = 1e-3;

    public static TheoryData<string> Sequences => [.. ByteTrackReference.Sequences];

    [ByteTrackReferenceTheory]
    [MemberData(nameof(Sequences))]
    public void Update_UpstreamParameters_SameIdsListsAndBoxesAsUpstream(string sequence)
    {
        string path = ByteTrackReference.File(sequence);
        DetectionsFile input = DetectionsFile.Load(path);
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllBytes(path));
        var tracker = new ByteTracker(UpstreamOptions(expected.RootElement.GetProperty("params")));
        var snapshot = new List<TrackSnapshot>();
        int frameNumber = 0;
        int compared = 0;
        foreach (JsonElement frame in expected.RootElement.GetProperty("frames").EnumerateArray())
        {
            DetectionFrame detections = input.Frames[frameNumber++];
            Instances result = tracker.Update(detections.Detections, detections.Meta);
            string at = $"{sequence} frame {frame.GetProperty("frame").GetInt32()}";
            Assert.Equal(frame.GetProperty("frame").GetInt64(), tracker.FrameNumber);
            snapshot.Clear();
            tracker.CopyTracks(snapshot);

            // Returned tracks: ids, Kalman boxes (in the snapshot and in the result), scores and matched detections.
            Dictionary<int, JsonElement> tracks = ById(frame.GetProperty("tracks"));
            Assert.True(tracks.Keys.Order().SequenceEqual(result.Ids()), $"{at}: ids [{string.Join(", ", result.Ids())}], upstream [{string.Join(", ", tracks.Keys.Order())}]");
            for (int i = 0; i < result.Count; i++)
            {
                JsonElement want = tracks[result.Ids()[i]];
                TrackSnapshot got = snapshot.Single(s => s.Status == TrackStatus.Confirmed && s.TrackId == result.Ids()[i]);
                AssertBox(want.GetProperty("tlbr"), got.X1, got.Y1, got.X2, got.Y2, $"{at} track {got.TrackId}");
                BoxF box = result.Boxes[i];
                AssertBox(want.GetProperty("tlbr"), box.X1, box.Y1, box.X2, box.Y2, $"{at} track {got.TrackId} (result box)");
                Assert.Equal(want.GetProperty("det_index").GetInt32(), got.DetectionIndex);
                Assert.Equal((float)want.GetProperty("score").GetDouble(), result.Scores[i]);
                compared++;
            }

            Assert.Equal(
                frame.GetProperty("unconfirmed").EnumerateArray().Select(t => t.GetProperty("track_id").GetInt32()).Order(),
                snapshot.Where(s => s.Status == TrackStatus.Unconfirmed).Select(s => s.TrackId).Order());

            // Lost tracks: the same list (timing of the lost and removed lists), predicted boxes, last match, time-out.
            Dictionary<int, JsonElement> lost = ById(frame.GetProperty("lost"));
            List<TrackSnapshot> gotLost = snapshot.Where(s => s.Status == TrackStatus.Lost).ToList();
            Assert.True(lost.Keys.Order().SequenceEqual(gotLost.Select(s => s.TrackId).Order()), $"{at}: lost [{string.Join(", ", gotLost.Select(s => s.TrackId).Order())}], upstream [{string.Join(", ", lost.Keys.Order())}]");
            foreach (TrackSnapshot s in gotLost)
            {
                JsonElement want = lost[s.TrackId];
                AssertBox(want.GetProperty("tlbr"), s.X1, s.Y1, s.X2, s.Y2, $"{at} lost track {s.TrackId}");
                Assert.Equal(want.GetProperty("last_frame").GetInt64(), s.LastFrame);
                Assert.Equal(want.GetProperty("timed_out").GetBoolean(), s.TimedOut);
            }
        }

        Assert.Equal(input.Frames.Count, frameNumber);
        Assert.True(compared > 0);
    }

    [ByteTrackReferenceTheory]
    [MemberData(nameof(Sequences))]
    public void Update_ConfirmedIds_NumbersEachUpstreamIdByItsRankAmongConfirmedIds(string sequence)
    {
        string path = ByteTrackReference.File(sequence);
        DetectionsFile input = DetectionsFile.Load(path);
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement frames = expected.RootElement.GetProperty("frames");
        int[] confirmed = frames.EnumerateArray()
            .SelectMany(f => f.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("track_id").GetInt32()))
            .Distinct().Order().ToArray();
        var tracker = new ByteTracker(UpstreamOptions(expected.RootElement.GetProperty("params")) with { ConfirmedIds = true });
        int n = 0;
        var seen = new HashSet<int>();
        foreach (JsonElement frame in frames.EnumerateArray())
        {
            DetectionFrame detections = input.Frames[n++];
            Instances result = tracker.Update(detections.Detections, detections.Meta);
            int[] want = frame.GetProperty("tracks").EnumerateArray().Select(t => Array.IndexOf(confirmed, t.GetProperty("track_id").GetInt32()) + 1).Order().ToArray();
            Assert.Equal(want, result.Ids());
            seen.UnionWith(result.Ids());
        }

        // Gapless: exactly the numbers 1 … (count of confirmed upstream tracks) were given.
        Assert.Equal(Enumerable.Range(1, confirmed.Length), seen.Order());
    }

    /// <summary>The options upstream was run with, from a reference file's <c>params</c>.</summary>
    internal static ByteTrackerOptions UpstreamOptions(JsonElement p) => new()
    {
        TrackHighThreshold = (float)p.GetProperty("track_thresh").GetDouble(),
        MatchThreshold = (float)p.GetProperty("match_thresh").GetDouble(),
        TrackBuffer = p.GetProperty("track_buffer").GetInt32(),
        FrameRate = p.GetProperty("frame_rate").GetDouble(),
        FuseScore = !p.GetProperty("mot20").GetBoolean(),
    };

    private static Dictionary<int, JsonElement> ById(JsonElement list) =>
        list.EnumerateArray().ToDictionary(t => t.GetProperty("track_id").GetInt32());

    private static void AssertBox(JsonElement tlbr, double x1, double y1, double x2, double y2, string what)
    {
        double[] want = tlbr.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] got = [x1, y1, x2, y2];
        for (int k = 0; k < 4; k++)
        {
            Assert.True(Math.Abs(want[k] - got[k]) <= Tolerance, $"{what}: tlbr [{string.Join(", ", got)}], upstream [{string.Join(", ", want)}] (coordinate {k} off by {Math.Abs(want[k] - got[k]):G3} px)");
        }
    }
}
