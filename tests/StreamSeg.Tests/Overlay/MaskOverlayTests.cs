using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Overlay;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Overlay;

public class MaskOverlayTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Draw_ChangesOnlyPixelsInsideTheMask(bool contour)
    {
        using Frame frame = TestFrames.Solid(64, 48, new Scalar(100, 100, 100));
        using Mat before = frame.Image.Clone();
        InstanceMask mask = Disc(20, 10, 17, 13);
        var overlay = new MaskOverlay(new MaskOverlayOptions { Alpha = 0.5f, DrawContour = contour });

        overlay.Draw(frame, new Instances([new BoxF(20, 10, 37, 23)], [0.9f], [0], [mask]));

        int inside = 0;
        for (int y = 0; y < 48; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                bool changed = frame.Image.At<Vec3b>(y, x) != before.At<Vec3b>(y, x);
                Assert.True(changed == mask.Contains(x, y), $"pixel ({x},{y}) changed={changed} but inside={mask.Contains(x, y)}");
                inside += changed ? 1 : 0;
            }
        }

        Assert.Equal(mask.Area(), inside);
    }

    [Fact]
    public void Draw_CropPartlyOutsideFrame_ClipsAndChangesOnlyInside()
    {
        using Frame frame = TestFrames.Pattern(32, 24);
        using Mat before = frame.Image.Clone();
        var mask = new InstanceMask(-5, 18, 12, 10, Enumerable.Repeat((byte)1, 120).ToArray());

        new MaskOverlay(new MaskOverlayOptions()).Draw(frame, new Instances([new BoxF(0, 18, 7, 24)], [1f], [0], [mask]));

        Assert.Equal(7 * 6, TestFrames.CountDifferent(before, frame.Image));
    }

    [Fact]
    public void Draw_ColourFollowsTrackIdNotIndex()
    {
        InstanceMask mask = Square(8, 8, 8);
        Vec3b track7Alone = DrawCentre(new Instances([new BoxF(8, 8, 16, 16)], [1f], [0], [mask], trackIds: [7]));
        Vec3b track7Second = DrawCentre(new Instances(
            [new BoxF(40, 40, 44, 44), new BoxF(8, 8, 16, 16)], [1f, 1f], [0, 0], [Square(40, 40, 4), mask], trackIds: [3, 7]));
        Vec3b track8 = DrawCentre(new Instances([new BoxF(8, 8, 16, 16)], [1f], [0], [mask], trackIds: [8]));
        Vec3b untrackedIndex0 = DrawCentre(new Instances([new BoxF(8, 8, 16, 16)], [1f], [0], [mask]));

        Assert.Equal(track7Alone, track7Second);
        Assert.NotEqual(track7Alone, track8);
        Assert.Equal(Blend(TrackPalette.Color(0)), untrackedIndex0);
        Assert.Equal(Blend(TrackPalette.Color(7)), track7Alone);
    }

    [Fact]
    public void Options_AlphaOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskOverlay(new MaskOverlayOptions { Alpha = 1.5f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskOverlay(new MaskOverlayOptions { Alpha = float.NaN }));
    }

    private static Vec3b DrawCentre(Instances instances)
    {
        using Frame frame = TestFrames.Solid(64, 64, Scalar.Black);
        new MaskOverlay(new MaskOverlayOptions { Alpha = 0.5f, DrawContour = false }).Draw(frame, instances);
        return frame.Image.At<Vec3b>(12, 12);
    }

    // The overlay's fixed-point blend of a colour over black at alpha 0.5 (weight 128).
    private static Vec3b Blend(Scalar c) => new((byte)((int)c.Val0 * 128 >> 8), (byte)((int)c.Val1 * 128 >> 8), (byte)((int)c.Val2 * 128 >> 8));

    private static InstanceMask Square(int x, int y, int size) => new(x, y, size, size, Enumerable.Repeat((byte)1, size * size).ToArray());

    private static InstanceMask Disc(int x, int y, int w, int h)
    {
        var data = new byte[w * h];
        for (int j = 0; j < h; j++)
        {
            for (int i = 0; i < w; i++)
            {
                float dx = (i - (w / 2f) + 0.5f) / (w / 2f);
                float dy = (j - (h / 2f) + 0.5f) / (h / 2f);
                data[(j * w) + i] = (dx * dx) + (dy * dy) <= 1 ? (byte)1 : (byte)0;
            }
        }

        return new InstanceMask(x, y, w, h, data);
    }
}
