using StreamSeg.Decode;
using StreamSeg.Tracking;
using static StreamSeg.Tests.Tracking.TrackingTestData;

namespace StreamSeg.Tests.Tracking;

public class MultiSourceTrackerTests
{
    [Fact]
    public void Update_InterleavedSources_KeepsTracksAndIdsIndependent()
    {
        // Detection boxes, so that each output can be compared with the detection it must carry.
        var tracker = new MultiSourceTracker(new ByteTrackerOptions { ReportDetectionBoxes = true });

        for (int t = 0; t < 20; t++)
        {
            // cam0 sees one object moving right; cam1 sees two objects, one of them where cam0's object is.
            BoxF a = Box(100 + (5 * t), 200);
            Instances cam0 = tracker.Update(Detections((a, 0.9f)), Meta(t, sourceId: "cam0"));
            Instances cam1 = tracker.Update(Detections((Box(600, 300), 0.9f), (a, 0.9f)), Meta(t, sourceId: "cam1"));

            Assert.Equal([1], cam0.Ids());
            Assert.Equal(a, cam0.Boxes[0]);
            Assert.Equal([1, 2], cam1.Ids());
            Assert.Equal(a, cam1.Boxes[1]);
        }

        Assert.Equal(2, tracker.SourceCount);
    }

    [Fact]
    public void Update_SourceGoesQuiet_OtherSourceUnaffected()
    {
        var tracker = new MultiSourceTracker(new ByteTrackerOptions { TrackBuffer = 5 });
        Instances detections = Detections((Box(100, 200), 0.9f));
        tracker.Update(detections, Meta(0, sourceId: "cam1"));

        // 20 frames of cam0 must not age cam1's track: each source has its own frame clock.
        for (int t = 0; t < 20; t++)
        {
            Assert.Equal([1], tracker.Update(detections, Meta(t, sourceId: "cam0")).Ids());
        }

        Assert.Equal([1], tracker.Update(detections, Meta(1, sourceId: "cam1")).Ids());
    }

    [Fact]
    public void Reset_OneSource_RestartsOnlyThatSource()
    {
        var tracker = new MultiSourceTracker(new ByteTrackerOptions());
        Instances two = Detections((Box(100, 200), 0.9f), (Box(400, 200), 0.9f));
        tracker.Update(two, Meta(0, sourceId: "cam0"));
        tracker.Update(two, Meta(0, sourceId: "cam1"));

        Assert.True(tracker.Reset(0));
        Assert.False(tracker.Reset(7));
        Instances cam0 = tracker.Update(Detections((Box(700, 200), 0.9f)), Meta(1, sourceId: "cam0"));
        Instances cam1 = tracker.Update(Detections((Box(700, 200), 0.9f), (Box(100, 200), 0.9f), (Box(400, 200), 0.9f)), Meta(1, sourceId: "cam1"));

        // cam0 starts over: its first frame again, so the new object is confirmed at once with id 1. cam1 keeps ids
        // 1 and 2 and its new object is an unconfirmed id 3, not yet output.
        Assert.Equal([1], cam0.Ids());
        Assert.Equal([1, 2], cam1.Ids());
        Assert.Equal([Box(100, 200), Box(400, 200)], cam1.Boxes);
    }

    [Fact]
    public void Update_TwoSourcesWithTheSameName_StillTrackedApart()
    {
        // A run's sources are told apart by their index: two copies of one file share a name but not their tracks.
        var tracker = new MultiSourceTracker(new ByteTrackerOptions());
        static StreamSeg.Frames.FrameMetadata Same(long t, int index)
        {
            StreamSeg.Frames.FrameMetadata meta = Meta(t, sourceId: $"cam{index}");
            meta.SourceId = "same";
            return meta;
        }

        for (int t = 0; t < 5; t++)
        {
            Instances first = tracker.Update(Detections((Box(100, 200), 0.9f)), Same(t, 0));
            Instances second = tracker.Update(Detections((Box(600, 200), 0.9f), (Box(900, 200), 0.9f)), Same(t, 1));
            Assert.Equal([1], first.Ids());
            Assert.Equal([1, 2], second.Ids());
        }

        Assert.Equal(2, tracker.SourceCount);
    }

    [Fact]
    public void Update_OptionsForSource_EachSourceGetsItsOwnFrameRate()
    {
        // cam0 at 30 fps keeps a lost track 30 frames, cam1 at 10 fps only 10 (upstream's scaled track buffer).
        var tracker = new MultiSourceTracker(new ByteTrackerOptions(), source => new ByteTrackerOptions { FrameRate = source == 0 ? 30 : 10 });
        Instances detections = Detections((Box(100, 200), 0.9f));
        foreach (string cam in new[] { "cam0", "cam1" })
        {
            tracker.Update(detections, Meta(0, sourceId: cam));
            for (int t = 1; t <= 15; t++)
            {
                tracker.Update(Detections(), Meta(t, sourceId: cam));
            }
        }

        Assert.Equal([1], tracker.Update(detections, Meta(16, sourceId: "cam0")).Ids());
        Assert.Equal([], tracker.Update(detections, Meta(16, sourceId: "cam1")).Ids());
        var snapshot = new List<TrackSnapshot>();
        Assert.Equal(17, tracker.CopyTracks(1, snapshot));
        Assert.Equal(TrackStatus.Unconfirmed, Assert.Single(snapshot).Status);
        Assert.Equal(0, tracker.CopyTracks(5, snapshot));
    }

    [Fact]
    public void Ctor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiSourceTracker(new ByteTrackerOptions { TrackBuffer = -1 }));
        Assert.Throws<ArgumentNullException>(() => new MultiSourceTracker(null!));
    }
}
