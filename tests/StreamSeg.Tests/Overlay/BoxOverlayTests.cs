using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Overlay;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Overlay;

public class BoxOverlayTests
{
    private static readonly Instances s_one = new([new BoxF(20, 30, 70, 80)], [0.87f], [0], trackIds: [4], classNames: ["person"]);

    [Fact]
    public void Draw_BoxOnly_DrawsOutlineInTrackColourAndLeavesInteriorAlone()
    {
        using Frame frame = TestFrames.Solid(100, 100, Scalar.Black);
        var overlay = new BoxOverlay(new BoxOverlayOptions { ShowClasses = false, ShowScores = false, ShowTrackIds = false, LineThickness = 1 });

        overlay.Draw(frame, s_one);

        Scalar c = TrackPalette.Color(4);
        Assert.Equal(new Vec3b((byte)c.Val0, (byte)c.Val1, (byte)c.Val2), frame.Image.At<Vec3b>(30, 45));
        Assert.Equal(default, frame.Image.At<Vec3b>(55, 45));
        Assert.Equal(default, frame.Image.At<Vec3b>(10, 25)); // no label tab above the box
    }

    [Fact]
    public void Draw_WithLabel_DrawsTabAboveBox()
    {
        using Frame frame = TestFrames.Solid(100, 100, Scalar.Black);
        new BoxOverlay(new BoxOverlayOptions { DrawBoxes = false }).Draw(frame, s_one);

        using Mat above = new Mat(frame.Image, new Rect(0, 0, 100, 30));
        using Mat below = new Mat(frame.Image, new Rect(0, 31, 100, 69));
        Assert.True(TestFrames.NonZero(above) > 0);
        Assert.Equal(0, TestFrames.NonZero(below));
    }

    [Fact]
    public void Draw_EverythingOff_DrawsNothing()
    {
        using Frame frame = TestFrames.Pattern(100, 100);
        using Mat before = frame.Image.Clone();
        new BoxOverlay(new BoxOverlayOptions { DrawBoxes = false, ShowClasses = false, ShowScores = false, ShowTrackIds = false }).Draw(frame, s_one);
        Assert.Equal(0, TestFrames.CountDifferent(before, frame.Image));
    }
}
