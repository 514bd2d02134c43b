using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Tests.Support;
using StreamSeg.Tracking;
using static StreamSeg.Tests.Tracking.TrackingTestData;

namespace StreamSeg.Tests.Tracking;

/// <summary>Per-track keypoint smoothing: one filter per track, reset on a new track, a gap or a discontinuity.</summary>
public sealed class KeypointSmootherTests
{
    [Fact]
    public void Apply_JitteryStillPerson_SmoothsKeypointsAndKeepsScores()
    {
        var smoother = new KeypointSmoother(new OneEuroOptions(), frameRate: 30);
        double rawMotion = 0;
        double smoothedMotion = 0;
        float previousRaw = 0;
        float previousSmoothed = 0;
        for (int t = 0; t < 30; t++)
        {
            float jitter = t % 2 == 0 ? 3 : -3;
            Instances person = Person(trackId: 1, x: 200 + jitter, score: 0.4f + (0.01f * t));

            smoother.Apply(person, Meta(t));

            Keypoint kp = person.KeypointsOf(0)[0];
            Assert.Equal(0.4f + (0.01f * t), kp.Score);
            if (t == 0)
            {
                Assert.Equal(200 + jitter, kp.X); // a new track's first keypoints pass unchanged
            }
            else
            {
                rawMotion += MathF.Abs(200 + jitter - previousRaw);
                smoothedMotion += MathF.Abs(kp.X - previousSmoothed);
            }

            previousRaw = 200 + jitter;
            previousSmoothed = kp.X;
        }

        // MediaPipe's settings halve a ±3 px frame-to-frame alternation on a 150 px person (the worst case for the
        // speed estimate: the cutoff rises to a few Hz).
        Assert.InRange(smoothedMotion, 0, rawMotion * 0.55);
    }

    [Theory]
    [InlineData(false, 3)] // consecutive frames: smoothed
    [InlineData(true, 3)] // the frame is flagged as a discontinuity: starts over
    [InlineData(false, 5)] // the track missed frames: starts over
    public void Apply_DiscontinuityOrGap_StartsTheTrackOver(bool discontinuity, long secondIndex)
    {
        var smoother = new KeypointSmoother(new OneEuroOptions(), frameRate: 30);
        smoother.Apply(Person(1, x: 100), Meta(2));
        Instances next = Person(1, x: 140);

        smoother.Apply(next, Meta(secondIndex, discontinuity));

        bool reset = discontinuity || secondIndex != 3;
        Assert.Equal(reset, next.KeypointsOf(0)[0].X == 140);
    }

    [Fact]
    public void Apply_NewTrackId_IsNotSmoothedTowardsAnotherTrack()
    {
        var smoother = new KeypointSmoother(new OneEuroOptions(), frameRate: 30);
        smoother.Apply(Person(1, x: 100), Meta(0));
        Instances other = Person(2, x: 400);

        smoother.Apply(other, Meta(1));

        Assert.Equal(400, other.KeypointsOf(0)[0].X);
        Assert.Equal(1, smoother.TrackCount); // track 1 was not on frame 1: forgotten
    }

    [Fact]
    public async Task TrackingStage_SmoothingPerSource_OnlyWhereTheSettingsAskForIt()
    {
        var options = new ByteTrackerOptions();
        var stage = new TrackingStage(options, source => new TrackingSourceSettings(options, source == 0 ? new OneEuroOptions() : null));
        float[] xs = [100, 106, 100, 106];
        var last = new float[2];
        for (int t = 0; t < xs.Length; t++)
        {
            for (int source = 0; source < 2; source++)
            {
                using Frame frame = TestFrames.Solid(8, 8, OpenCvSharp.Scalar.Black);
                frame.Meta.SourceIndex = source;
                frame.Meta.Index = t;
                frame.Instances = Person(trackId: 0, x: xs[t], untracked: true);
                Frame result = await stage.ProcessAsync(frame, CancellationToken.None);
                last[source] = result.Instances!.KeypointsOf(0)[0].X;
            }
        }

        Assert.Equal(106, last[1]); // no smoothing: the raw keypoint
        Assert.InRange(last[0], 100.5f, 105.5f); // smoothed between the two raw positions
    }

    [Fact]
    public async Task TrackingStage_SourceNotTracked_PassesItsDetectionsThrough_EvenUnderTheNewTrackScore()
    {
        // Stills: a person scoring 0.30 is under ByteTrack's new-track score (0.25 + 0.1) and would be held back on the
        // only frame there is; an untracked source keeps it, without an id, while a tracked source holds it back.
        var options = new ByteTrackerOptions { TrackHighThreshold = 0.25f };
        var stage = new TrackingStage(options, source => new TrackingSourceSettings(options, Enabled: source == 1));
        var kept = new int[2];
        for (int source = 0; source < 2; source++)
        {
            using Frame frame = TestFrames.Solid(8, 8, OpenCvSharp.Scalar.Black);
            frame.Meta.SourceIndex = source;
            frame.Instances = new Instances([BoxF.FromCenter(100, 300, 100, 200)], [0.30f], [0], trackIds: null);
            Frame result = await stage.ProcessAsync(frame, CancellationToken.None);
            kept[source] = result.Instances!.Count;
            if (source == 0)
            {
                Assert.Null(result.Instances.TrackIds);
            }
        }

        Assert.Equal(1, kept[0]);
        Assert.Equal(0, kept[1]);
    }

    // One person (box 100 px wide and 200 high around x) with one keypoint at x.
    private static Instances Person(int trackId, float x, float score = 0.9f, bool untracked = false) =>
        new(
            [BoxF.FromCenter(x, 300, 100, 200)],
            [0.9f],
            [0],
            keypoints: [new Keypoint(x, 250, score)],
            keypointsPerInstance: 1,
            trackIds: untracked ? null : [trackId]);
}
