using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Overlay;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Overlay;

public class KeypointOverlayTests
{
    [Fact]
    public void Draw_AllPointsBelowThreshold_DrawsNothing()
    {
        using Frame frame = TestFrames.Pattern(100, 100);
        using Mat before = frame.Image.Clone();
        var points = new Keypoint[17];
        for (int k = 0; k < 17; k++)
        {
            points[k] = new Keypoint(10 + (k * 4), 10 + (k * 4), 0.29f);
        }

        new KeypointOverlay(new KeypointOverlayOptions()).Draw(frame, Person(points));

        Assert.Equal(0, TestFrames.CountDifferent(before, frame.Image));
    }

    [Fact]
    public void Draw_MixedConfidence_DrawsOnlyConfidentPointsAndTheirEdges()
    {
        using Frame frame = TestFrames.Solid(100, 100, Scalar.Black);
        var points = new Keypoint[17];
        points[5] = new Keypoint(20, 20, 0.95f); // left shoulder
        points[6] = new Keypoint(80, 20, 0.95f); // right shoulder: edge (5,6) drawn
        points[7] = new Keypoint(20, 80, 0.1f);  // left elbow below threshold: neither point nor edge (5,7)

        new KeypointOverlay(new KeypointOverlayOptions()).Draw(frame, Person(points));

        Assert.NotEqual(default, frame.Image.At<Vec3b>(20, 20));
        Assert.NotEqual(default, frame.Image.At<Vec3b>(20, 50)); // on the shoulder line
        Assert.Equal(default, frame.Image.At<Vec3b>(80, 20));
        Assert.Equal(default, frame.Image.At<Vec3b>(50, 20)); // where edge (5,7) would run
        using Mat lower = new Mat(frame.Image, new Rect(0, 40, 100, 60));
        Assert.Equal(0, TestFrames.NonZero(lower));
    }

    [Fact]
    public void Draw_HigherConfidence_DrawsLargerPoint()
    {
        int low = PaintedPixels(0.35f);
        int high = PaintedPixels(1f);
        Assert.True(high > low, $"a confident point covers {high} pixels, a weak one {low}");
    }

    [Fact]
    public void Draw_CustomSkeletonForOtherK_UsesIt()
    {
        using Frame frame = TestFrames.Solid(60, 60, Scalar.Black);
        var instances = new Instances(
            [new BoxF(0, 0, 60, 60)], [1f], [0],
            keypoints: [new Keypoint(10, 30, 1f), new Keypoint(50, 30, 1f), new Keypoint(30, 50, 1f)],
            keypointsPerInstance: 3);

        new KeypointOverlay(new KeypointOverlayOptions { Skeleton = [(0, 1), (1, 7)] }).Draw(frame, instances);

        Assert.NotEqual(default, frame.Image.At<Vec3b>(30, 30)); // on edge (0,1)
        Assert.Equal(default, frame.Image.At<Vec3b>(40, 20)); // no edge (0,2); (1,7) is out of range and skipped
    }

    private static int PaintedPixels(float score)
    {
        using Frame frame = TestFrames.Solid(40, 40, Scalar.Black);
        var instances = new Instances([new BoxF(0, 0, 40, 40)], [1f], [0], keypoints: [new Keypoint(20, 20, score)], keypointsPerInstance: 1);
        new KeypointOverlay(new KeypointOverlayOptions { PointRadius = 8 }).Draw(frame, instances);
        using Mat gray = frame.Image.CvtColor(ColorConversionCodes.BGR2GRAY);
        return Cv2.CountNonZero(gray);
    }

    private static Instances Person(Keypoint[] points) =>
        new([new BoxF(0, 0, 100, 100)], [0.9f], [0], keypoints: points, keypointsPerInstance: 17);
}
