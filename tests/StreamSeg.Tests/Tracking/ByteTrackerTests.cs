using StreamSeg.Decode;
using StreamSeg.Tracking;
using static StreamSeg.Tests.Tracking.TrackingTestData;

namespace StreamSeg.Tests.Tracking;

public class ByteTrackerTests
{
    private static readonly Instances s_none = Detections();

    [Fact]
    public void Update_SingleObjectMovingLinearly_KeepsId1For50Frames()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());

        for (int t = 0; t < 50; t++)
        {
            BoxF box = Box(100 + (5 * t), 200 + (2 * t));
            Instances result = tracker.Update(Detections((box, 0.9f)), Meta(t));

            Assert.Equal(1, result.Count);
            Assert.Equal([1], result.Ids());
            AssertNear(box, result.Boxes[0], 3f); // the Kalman box, which lags while the velocity is learnt
        }
    }

    [Fact]
    public void Update_ShortOcclusion_KeepsId()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());

        for (int t = 0; t < 50; t++)
        {
            bool visible = t < 20 || t >= 30;
            Instances detections = visible ? Detections((Box(100 + (5 * t), 200), 0.9f)) : s_none;

            Instances result = tracker.Update(detections, Meta(t));

            if (visible)
            {
                Assert.Equal([1], result.Ids());
            }
            else
            {
                Assert.Equal(0, result.Count);
            }
        }
    }

    [Fact]
    public void Update_GoneLongerThanBuffer_GetsNewId()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { TrackBuffer = 30 });
        Instances detections = Detections((Box(200, 200), 0.9f));
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal([1], tracker.Update(detections, Meta(t)).Ids());
        }

        for (int t = 10; t < 50; t++)
        {
            Assert.Equal(0, tracker.Update(s_none, Meta(t)).Count);
        }

        // Reborn after frame 1: unconfirmed (not output) until it is matched again on the next frame.
        Assert.Equal(0, tracker.Update(detections, Meta(50)).Count);
        Assert.Equal([2], tracker.Update(detections, Meta(51)).Ids());
        Assert.Equal([2], tracker.Update(detections, Meta(52)).Ids());
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, true)] // timed out on the frame before, but upstream keeps it in the lost list one more frame
    [InlineData(32, false)]
    public void Update_LostTrack_MatchableUntilOneFrameAfterItTimesOut(int framesGone, bool keepsId)
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { TrackBuffer = 30 });
        Instances detections = Detections((Box(200, 200), 0.9f));
        int t = 0;
        for (; t < 5; t++)
        {
            tracker.Update(detections, Meta(t));
        }

        for (int i = 0; i < framesGone; i++, t++)
        {
            tracker.Update(s_none, Meta(t));
        }

        Instances back = tracker.Update(detections, Meta(t++));
        Instances next = tracker.Update(detections, Meta(t));

        if (keepsId)
        {
            Assert.Equal([1], back.Ids());
            Assert.Equal([1], next.Ids());
        }
        else
        {
            Assert.Equal(0, back.Count);
            Assert.Equal([2], next.Ids());
        }
    }

    [Fact]
    public void Update_TwoObjectsCrossing_KeepIds()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        bool overlapped = false;

        for (int t = 0; t < 36; t++)
        {
            // A moves right and B left at the same height; they overlap on frames 14..19 and never coincide exactly.
            BoxF a = Box(100 + (6 * t), 200, 40, 80);
            BoxF b = Box(300 - (6 * t), 200, 40, 80);
            overlapped |= BoxF.IoU(a, b) > 0.5f;

            // Alternate the detection order so that matching cannot lean on it.
            Instances detections = t % 2 == 0 ? Detections((a, 0.9f), (b, 0.85f)) : Detections((b, 0.85f), (a, 0.9f));
            Instances result = tracker.Update(detections, Meta(t));

            Assert.Equal([1, 2], result.Ids());
            AssertNear(a, result.Boxes[0], 3f);
            AssertNear(b, result.Boxes[1], 3f);
        }

        Assert.True(overlapped);
    }

    [Fact]
    public void Update_LowScoreDetection_ContinuesExistingTrack()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        for (int t = 0; t < 5; t++)
        {
            tracker.Update(Detections((Box(100 + (3 * t), 200), 0.9f)), Meta(t));
        }

        for (int t = 5; t < 10; t++)
        {
            BoxF box = Box(100 + (3 * t), 200);
            Instances result = tracker.Update(Detections((box, 0.3f)), Meta(t));

            Assert.Equal([1], result.Ids());
            Assert.Equal(0.3f, result.Scores[0]);
            AssertNear(box, result.Boxes[0], 1f);
        }

        Assert.Equal([1], tracker.Update(Detections((Box(130, 200), 0.9f)), Meta(10)).Ids());
    }

    [Fact]
    public void Update_LowScoreDetection_DoesNotStartTrack()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal(0, tracker.Update(Detections((Box(100, 200), 0.3f)), Meta(t)).Count);
        }

        // A high detection then starts the first track, so the low one consumed no id.
        Instances high = Detections((Box(100, 200), 0.9f));
        Assert.Equal(0, tracker.Update(high, Meta(10)).Count);
        Assert.Equal([1], tracker.Update(high, Meta(11)).Ids());
    }

    [Fact]
    public void Update_LowScoreDetectionFarFromTrack_DoesNotContinueIt()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        tracker.Update(Detections((Box(100, 200), 0.9f)), Meta(0));

        // The second association needs IoU ≥ 0.5: a low detection 30 px away (IoU 0.25) is not enough.
        Instances result = tracker.Update(Detections((Box(130, 200), 0.3f)), Meta(1));

        Assert.Equal(0, result.Count);
    }

    [Fact]
    public void Update_HighButBelowNewTrackThreshold_DoesNotStartTrack()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        Instances detections = Detections((Box(100, 200), 0.55f));

        Assert.Equal(0, tracker.Update(detections, Meta(0)).Count);
        Assert.Equal(0, tracker.Update(detections, Meta(1)).Count);
    }

    [Fact]
    public void Update_NewObjectAfterFirstFrame_OutputOnlyOnceConfirmed()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        BoxF first = Box(100, 200);
        BoxF second = Box(400, 200);

        Assert.Equal([1], tracker.Update(Detections((first, 0.9f)), Meta(0)).Ids());
        Instances born = tracker.Update(Detections((first, 0.9f), (second, 0.9f)), Meta(1));
        Instances confirmed = tracker.Update(Detections((first, 0.9f), (second, 0.9f)), Meta(2));

        Assert.Equal([1], born.Ids());
        Assert.Equal([1, 2], confirmed.Ids());
        AssertNear(second, confirmed.Boxes[1], 0.5f);
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    public void Update_OneFrameBlip_IsNeverOutputAndItsIdIsSkippedUnlessConfirmedIds(bool confirmedIds, int secondId)
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { ConfirmedIds = confirmedIds });
        tracker.Update(Detections((Box(100, 200), 0.9f)), Meta(0));

        Instances blip = tracker.Update(Detections((Box(100, 200), 0.9f), (Box(400, 200), 0.9f)), Meta(1));
        tracker.Update(Detections((Box(100, 200), 0.9f)), Meta(2));

        // The blip's unconfirmed track was removed when it went unmatched. Upstream gave it id 2 at birth, so the
        // object that comes back is track 3; numbered among confirmed tracks only, it is track 2 (no gap).
        Instances again = tracker.Update(Detections((Box(100, 200), 0.9f), (Box(400, 200), 0.9f)), Meta(3));
        Instances confirmed = tracker.Update(Detections((Box(100, 200), 0.9f), (Box(400, 200), 0.9f)), Meta(4));

        Assert.Equal([1], blip.Ids());
        Assert.Equal([1], again.Ids());
        Assert.Equal([1, secondId], confirmed.Ids());
    }

    [Fact]
    public void Update_DetectionsInAnyOrder_OutputOrderedByTrackId()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        BoxF a = Box(100, 200);
        BoxF b = Box(300, 200);
        BoxF c = Box(500, 200);

        Instances first = tracker.Update(Detections((c, 0.9f), (b, 0.8f), (a, 0.7f)), Meta(0));
        Instances second = tracker.Update(Detections((a, 0.7f), (c, 0.9f), (b, 0.8f)), Meta(1));

        Assert.Equal([1, 2, 3], first.Ids());
        Assert.Equal([c, b, a], first.Boxes);
        Assert.Equal([1, 2, 3], second.Ids());
        Assert.Equal([c, b, a], second.Boxes); // stationary: the Kalman box stays exactly on the detections
        Assert.Equal([0.9f, 0.8f, 0.7f], second.Scores);
    }

    [Fact]
    public void Update_JitteryDetections_ReportsTheKalmanBoxAsUpstream()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        var snapshot = new List<TrackSnapshot>();
        float previousX = float.NaN;
        for (int t = 0; t < 10; t++)
        {
            float jitter = t % 2 == 0 ? 4 : -4;
            BoxF box = BoxF.FromCenter(200 + jitter, 200 - jitter, 50 + jitter, 100);

            Instances result = tracker.Update(Detections((box, 0.9f)), Meta(t));
            snapshot.Clear();
            tracker.CopyTracks(snapshot);

            Assert.Equal([1], result.Ids());
            TrackSnapshot s = Assert.Single(snapshot);
            Assert.Equal(new BoxF((float)s.X1, (float)s.Y1, (float)s.X2, (float)s.Y2), result.Boxes[0]);
            if (t > 0)
            {
                // The filtered box moves less than the detections, which jump 8 px a frame.
                Assert.NotEqual(box, result.Boxes[0]);
                Assert.InRange(MathF.Abs(result.Boxes[0].CenterX - previousX), 0f, 7f);
            }

            previousX = result.Boxes[0].CenterX;
        }
    }

    [Fact]
    public void Update_ReportDetectionBoxes_OutputsTheMatchedDetectionBox()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { ReportDetectionBoxes = true });
        for (int t = 0; t < 10; t++)
        {
            float jitter = t % 2 == 0 ? 4 : -4;
            BoxF box = BoxF.FromCenter(200 + jitter, 200 - jitter, 50 + jitter, 100);

            Instances result = tracker.Update(Detections((box, 0.9f)), Meta(t));

            Assert.Equal([1], result.Ids());
            Assert.Equal(box, result.Boxes[0]);
        }
    }

    [Fact]
    public void Update_MasksAndKeypoints_TravelWithTheirTrack()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        string[] names = ["person", "dog"];
        BoxF boxA = Box(100, 200);
        BoxF boxB = Box(400, 200);
        var maskA = new InstanceMask(75, 150, 2, 1, [1, 0]);
        var maskB = new InstanceMask(375, 150, 2, 1, [0, 1]);
        Keypoint[] keypointsA = [new(90, 170, 0.9f), new(110, 170, 0.8f)];
        Keypoint[] keypointsB = [new(390, 170, 0.7f), new(410, 170, 0.6f)];

        // Frame 1 lists A then B (ids 1 and 2); frame 2 lists B first, so a tracker that kept the input order would
        // hand A's keypoints to track 2.
        var frame1 = new Instances([boxA, boxB], [0.9f, 0.8f], [0, 1], [maskA, maskB], [.. keypointsA, .. keypointsB], 2, classNames: names);
        var frame2 = new Instances([boxB, boxA], [0.8f, 0.9f], [1, 0], [maskB, maskA], [.. keypointsB, .. keypointsA], 2, classNames: names);

        tracker.Update(frame1, Meta(0));
        Instances result = tracker.Update(frame2, Meta(1));

        Assert.Equal([1, 2], result.Ids());
        Assert.Equal(keypointsA, result.KeypointsOf(0).ToArray());
        Assert.Equal(keypointsB, result.KeypointsOf(1).ToArray());
        Assert.Same(maskA, result.Masks![0]);
        Assert.Same(maskB, result.Masks[1]);
        Assert.Equal([0, 1], result.ClassIds);
        Assert.Equal("dog", result.ClassName(result.ClassIds[1]));
    }

    [Fact]
    public void Update_ClassOfDetectionChanges_KeepsIdAndReportsNewClass()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        BoxF box = Box(100, 200);
        tracker.Update(new Instances([box], [0.9f], [3]), Meta(0));

        Instances result = tracker.Update(new Instances([box], [0.9f], [5]), Meta(1));

        Assert.Equal([1], result.Ids());
        Assert.Equal([5], result.ClassIds);
    }

    [Fact]
    public void Update_DiscontinuityWithIndexGap_PredictsAcrossDroppedFrames()
    {
        Instances result = RunFastObjectWithDroppedFrames(discontinuity: true);

        Assert.Equal([1], result.Ids());
    }

    [Fact]
    public void Update_IndexGapWithoutDiscontinuity_PredictsOneFrameAndLosesFastObject()
    {
        // Control for the test above: the same frames without the flag are treated as consecutive.
        Instances result = RunFastObjectWithDroppedFrames(discontinuity: false);

        Assert.Equal(0, result.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Update_DiscontinuityWithoutIndex_CountsOneDroppedFrameTowardsBuffer(bool flagged)
    {
        // The source does not maintain Index (always 0); a flagged frame counts as two frames of the buffer. Seen on
        // frame 1 and gone 31 frames, the track times out on frame 32 and is still matchable on 33; one flagged frame
        // makes that 34, one frame too late.
        var tracker = new ByteTracker(new ByteTrackerOptions { TrackBuffer = 30 });
        Instances detections = Detections((Box(200, 200), 0.9f));
        tracker.Update(detections, Meta(0));
        for (int i = 0; i < 31; i++)
        {
            tracker.Update(s_none, Meta(0, discontinuity: flagged && i == 10));
        }

        if (flagged)
        {
            Assert.Equal(0, tracker.Update(detections, Meta(0)).Count);
            Assert.Equal([2], tracker.Update(detections, Meta(0)).Ids());
        }
        else
        {
            Assert.Equal([1], tracker.Update(detections, Meta(0)).Ids());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Update_LostPredictionMergesIntoTrackedTrack_LostTrackRemovedAsDuplicate(bool withStationaryObject)
    {
        // B moves left 5 px/frame, is seen on frames 0..19 and reappears on its path at frame 40 (lost 20 frames,
        // within the buffer). On the way its prediction passes straight through a stationary object A; ByteTrack then
        // treats the lost B as a duplicate of the older tracked A (IoU > 0.85) and removes it, so B comes back as a
        // new track. Without A, B is simply found again.
        var tracker = new ByteTracker(new ByteTrackerOptions());
        BoxF a = Box(100, 200);
        Instances last = Detections();
        for (int t = 0; t <= 41; t++)
        {
            bool bVisible = t < 20 || t >= 40;
            BoxF b = Box(250 - (5 * t), 200);
            Instances detections = (withStationaryObject, bVisible) switch
            {
                (true, true) => Detections((a, 0.9f), (b, 0.9f)),
                (true, false) => Detections((a, 0.9f)),
                (false, true) => Detections((b, 0.9f)),
                (false, false) => Detections(),
            };

            last = tracker.Update(detections, Meta(t));
        }

        Assert.Equal(withStationaryObject ? [1, 3] : [1], last.Ids());
        AssertNear(Box(250 - (5 * 41), 200), last.Boxes[^1], 2f);
    }

    [Fact]
    public void Update_ScoreEqualToTrackThreshold_IsNeitherHighNorLow()
    {
        // Upstream: high is score > track_thresh, low is 0.1 < score < track_thresh; a score of exactly 0.5 is ignored,
        // so the track it would continue goes lost. (A port that splits with >= matched it as a high detection.)
        var tracker = new ByteTracker(new ByteTrackerOptions());
        for (int t = 0; t < 3; t++)
        {
            tracker.Update(Detections((Box(100, 200), 0.9f)), Meta(t));
        }

        Assert.Equal(0, tracker.Update(Detections((Box(100, 200), 0.5f)), Meta(3)).Count);
        Assert.Equal([1], tracker.Update(Detections((Box(100, 200), 0.5001f)), Meta(4)).Ids());
        Assert.Equal([1], tracker.Update(Detections((Box(100, 200), 0.4999f)), Meta(5)).Ids());
    }

    [Theory]
    [InlineData(0.34f, false)]
    [InlineData(0.35f, true)] // 0.25f + 0.1f == 0.35f: the threshold itself starts a track
    public void Update_DefaultNewTrackThreshold_IsTrackThresholdPlusOneTenth(float score, bool starts)
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { TrackHighThreshold = 0.25f });
        Instances detections = Detections((Box(100, 200), score));

        Assert.Equal(starts ? [1] : [], tracker.Update(detections, Meta(0)).Ids());
    }

    [Theory]
    [InlineData(3.5f, true)] // IoU 0.517 with the +1 convention (0.481 without): within the 0.5 limit
    [InlineData(3.8f, false)] // IoU 0.486 with the +1 convention
    public void Update_SecondAssociation_UsesUpstreamsPlusOnePixelIoU(float shift, bool continues)
    {
        // A 10×10 box, still for three frames (its Kalman box stays exactly on it), then a low-score detection
        // shifted right: the second association needs IoU ≥ 0.5, and upstream's IoU adds 1 to every side.
        var tracker = new ByteTracker(new ByteTrackerOptions());
        var box = new BoxF(100, 100, 110, 110);
        for (int t = 0; t < 3; t++)
        {
            tracker.Update(Detections((box, 0.9f)), Meta(t));
        }

        Instances result = tracker.Update(Detections((box with { X1 = 100 + shift, X2 = 110 + shift }, 0.3f)), Meta(3));

        Assert.Equal(continues ? [1] : [], result.Ids());
    }

    [Theory]
    [InlineData(30, true)] // max_time_lost = int(30 / 30 × 30) = 30: 12 frames gone is nothing
    [InlineData(10, false)] // max_time_lost = int(10 / 30 × 30) = 10: timed out on frame 16, gone after 17
    public void Update_TrackBuffer_IsScaledByFrameRate(double frameRate, bool keepsId)
    {
        var tracker = new ByteTracker(new ByteTrackerOptions { FrameRate = frameRate });
        Instances detections = Detections((Box(200, 200), 0.9f));
        int t = 0;
        for (; t < 5; t++)
        {
            tracker.Update(detections, Meta(t));
        }

        for (int i = 0; i < 12; i++, t++)
        {
            tracker.Update(s_none, Meta(t));
        }

        // Back on frame 18: found again, or a new track (id 2) that is output from frame 19 once confirmed.
        Assert.Equal(keepsId ? [1] : [], tracker.Update(detections, Meta(t++)).Ids());
        Assert.Equal(keepsId ? [1] : [2], tracker.Update(detections, Meta(t)).Ids());
    }

    [Fact]
    public void Update_TrackFoundAgainAfterTimingOut_IsDroppedTheNextTimeItIsLost()
    {
        // Upstream keeps a timed-out track in its removed list even when the track is found again on the grace
        // frame; the next time it is lost it leaves the lost list at once, so after a one-frame gap it gets a new id.
        var tracker = new ByteTracker(new ByteTrackerOptions());
        Instances detections = Detections((Box(200, 200), 0.9f));
        var snapshot = new List<TrackSnapshot>();
        int t = 0;
        for (; t < 5; t++)
        {
            tracker.Update(detections, Meta(t));
        }

        for (int i = 0; i < 31; i++, t++)
        {
            tracker.Update(s_none, Meta(t));
        }

        Assert.Equal([1], tracker.Update(detections, Meta(t++)).Ids()); // found on the grace frame
        Assert.Equal([1], tracker.Update(detections, Meta(t++)).Ids());
        Assert.Equal(0, tracker.Update(s_none, Meta(t++)).Count);
        tracker.CopyTracks(snapshot);
        Assert.Empty(snapshot); // not in the lost list

        Assert.Equal(0, tracker.Update(detections, Meta(t++)).Count);
        Assert.Equal([2], tracker.Update(detections, Meta(t)).Ids());
    }

    [Fact]
    public void Update_EmptyFrame_ReturnsEmptyInstancesWithTrackIds()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());

        Instances result = tracker.Update(s_none, Meta(0));

        Assert.Equal(0, result.Count);
        Assert.NotNull(result.TrackIds);
    }

    [Fact]
    public void Reset_AfterTracking_RestartsIdsAtOne()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        tracker.Update(Detections((Box(100, 200), 0.9f), (Box(400, 200), 0.9f)), Meta(0));

        tracker.Reset();
        Instances result = tracker.Update(Detections((Box(700, 200), 0.9f)), Meta(1));

        Assert.Equal([1], result.Ids());
    }

    [Fact]
    public void Update_NullArguments_Throw()
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());

        Assert.Throws<ArgumentNullException>(() => tracker.Update(null!, Meta(0)));
        Assert.Throws<ArgumentNullException>(() => tracker.Update(s_none, null!));
    }

    public static TheoryData<ByteTrackerOptions> InvalidOptions() =>
    [
        new ByteTrackerOptions { TrackHighThreshold = 1.5f },
        new ByteTrackerOptions { TrackLowThreshold = -0.1f },
        new ByteTrackerOptions { TrackLowThreshold = 0.6f, TrackHighThreshold = 0.5f },
        new ByteTrackerOptions { NewTrackThreshold = float.NaN },
        new ByteTrackerOptions { MatchThreshold = 2f },
        new ByteTrackerOptions { TrackBuffer = -1 },
        new ByteTrackerOptions { FrameRate = 0 },
        new ByteTrackerOptions { FrameRate = double.NaN },
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Ctor_InvalidOptions_Throws(ByteTrackerOptions options)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteTracker(options));
    }

    [Fact]
    public void Ctor_NullOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new ByteTracker(null!));
    }

    private static void AssertNear(BoxF expected, BoxF actual, float tolerance)
    {
        float[] e = [expected.X1, expected.Y1, expected.X2, expected.Y2];
        float[] a = [actual.X1, actual.Y1, actual.X2, actual.Y2];
        for (int k = 0; k < 4; k++)
        {
            Assert.True(MathF.Abs(e[k] - a[k]) <= tolerance, $"box {actual} is not within {tolerance} px of {expected}");
        }
    }

    // An object moving 20 px/frame (box 60 px wide) is seen on frames 0..9, frames 10..14 are dropped, and frame 15
    // arrives with its Index (and optionally the Discontinuity flag). Returns the tracker's output for frame 15.
    private static Instances RunFastObjectWithDroppedFrames(bool discontinuity)
    {
        var tracker = new ByteTracker(new ByteTrackerOptions());
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal([1], tracker.Update(Detections((Box(100 + (20 * t), 200, 60, 120), 0.9f)), Meta(t)).Ids());
        }

        return tracker.Update(Detections((Box(100 + (20 * 15), 200, 60, 120), 0.9f)), Meta(15, discontinuity));
    }
}
