using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Overlay;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Overlay;

public class OverlayComposerTests
{
    [Fact]
    public void FromOptions_DefaultSwitches_MaskBoxKeypointInOrder()
    {
        var composer = new OverlayComposer(new OverlayOptions());
        Assert.Collection(
            composer.Overlays,
            o => Assert.IsType<MaskOverlay>(o),
            o => Assert.IsType<BoxOverlay>(o),
            o => Assert.IsType<KeypointOverlay>(o));
    }

    [Fact]
    public void FromOptions_HudWithStats_AddsHudLast()
    {
        var composer = new OverlayComposer(new OverlayOptions { Masks = false, Keypoints = false, Hud = true }, new FakeStats());
        Assert.IsType<HudOverlay>(composer.Overlays[^1]);
        Assert.Equal(2, composer.Overlays.Count);
    }

    [Fact]
    public void FromOptions_HudWithoutStats_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new OverlayComposer(new OverlayOptions { Hud = true }));
    }

    [Fact]
    public void FromOptions_AllOff_DrawsNothing()
    {
        var composer = new OverlayComposer(new OverlayOptions
        {
            Masks = false, Boxes = false, Labels = false, Scores = false, TrackIds = false, Keypoints = false,
        });
        Assert.Empty(composer.Overlays);
    }

    [Fact]
    public void Hud_DrawsInItsCornerOnly()
    {
        using Frame frame = TestFrames.Solid(400, 300, new Scalar(200, 200, 200));
        frame.Meta.SourceId = "cam0";
        frame.Meta.Index = 42;
        new HudOverlay(new FakeStats(), new HudOverlayOptions { Corner = HudCorner.BottomRight }).Draw(frame, Instances.Empty);

        using Mat topLeft = new Mat(frame.Image, new Rect(0, 0, 150, 150));
        using Mat bottomRight = new Mat(frame.Image, new Rect(300, 250, 100, 50));
        Assert.Equal(new Scalar(200 * 150 * 150, 200 * 150 * 150, 200 * 150 * 150, 0), topLeft.Sum());
        Assert.NotEqual(new Vec3b(200, 200, 200), frame.Image.At<Vec3b>(285, 390));
    }

    [Fact]
    public async Task OverlayStage_DrawsAndReturnsSameFrame()
    {
        await using var stage = new OverlayStage(new OverlayComposer(new OverlayOptions()));
        using Frame frame = TestFrames.Solid(50, 50, Scalar.Black);
        frame.Instances = new Instances([new BoxF(10, 10, 40, 40)], [0.5f], [0]);

        Frame result = await stage.ProcessAsync(frame, CancellationToken.None);

        Assert.Same(frame, result);
        Assert.Equal("overlay", stage.Name);
        Assert.NotEqual(0, TestFrames.NonZero(frame.Image));
    }

    [Fact]
    public async Task OverlayStage_NoInstances_DrawsNothing()
    {
        await using var stage = new OverlayStage(new OverlayComposer(new OverlayOptions()));
        using Frame frame = TestFrames.Solid(50, 50, Scalar.Black);

        await stage.ProcessAsync(frame, CancellationToken.None);

        Assert.Equal(0, TestFrames.NonZero(frame.Image));
    }

    private sealed class FakeStats : IPipelineStatsView
    {
        public double FramesPerSecond => 29.97;

        public long DroppedFrames => 3;

        public string Provider => "CPU";

        public double StageMilliseconds(PipelineStage stage) => (int)stage + 0.5;
    }
}
