using StreamSeg.Decode;

namespace StreamSeg.Tests.Decode;

public class NmsTests
{
    private static int[] Run(BoxF[] boxes, float[] scores, int[] classes, float iou = 0.7f, int maxDet = 300, bool agnostic = false)
    {
        var keep = new int[boxes.Length];
        int n = Nms.Run(boxes, scores, classes, iou, maxDet, agnostic, keep);
        return keep[..n];
    }

    [Fact]
    public void Run_OverlappingSameClass_KeepsHighestScore()
    {
        BoxF[] boxes = [new(0, 0, 10, 10), new(1, 1, 11, 11), new(0.5f, 0, 10.5f, 10)];
        int[] kept = Run(boxes, [0.6f, 0.9f, 0.7f], [0, 0, 0], iou: 0.5f);
        Assert.Equal([1], kept);
    }

    [Fact]
    public void Run_OverlappingDifferentClasses_KeepsBoth()
    {
        BoxF[] boxes = [new(0, 0, 10, 10), new(0, 0, 10, 10)];
        int[] kept = Run(boxes, [0.8f, 0.9f], [3, 7]);
        Assert.Equal([1, 0], kept);
    }

    [Fact]
    public void Run_Agnostic_SuppressesAcrossClasses()
    {
        BoxF[] boxes = [new(0, 0, 10, 10), new(0, 0, 10, 10), new(50, 50, 60, 60)];
        int[] kept = Run(boxes, [0.8f, 0.9f, 0.3f], [3, 7, 3], agnostic: true);
        Assert.Equal([1, 2], kept);
    }

    [Fact]
    public void Run_IoUExactlyAtThreshold_IsNotSuppressed()
    {
        // IoU of these two boxes is exactly 0.5: suppression needs IoU strictly above the threshold.
        BoxF[] boxes = [new(0, 0, 10, 10), new(0, 0, 10, 5)];
        Assert.Equal([0, 1], Run(boxes, [0.9f, 0.8f], [0, 0], iou: 0.5f));
        Assert.Equal([0], Run(boxes, [0.9f, 0.8f], [0, 0], iou: 0.49f));
    }

    [Fact]
    public void Run_MaxDetections_TruncatesBestFirst()
    {
        BoxF[] boxes = [new(0, 0, 1, 1), new(10, 10, 11, 11), new(20, 20, 21, 21), new(30, 30, 31, 31)];
        int[] kept = Run(boxes, [0.1f, 0.4f, 0.3f, 0.2f], [0, 0, 0, 0], maxDet: 2);
        Assert.Equal([1, 2], kept);
    }

    [Fact]
    public void Run_EqualScores_KeepInputOrder()
    {
        BoxF[] boxes = [new(0, 0, 1, 1), new(10, 10, 11, 11), new(20, 20, 21, 21)];
        Assert.Equal([0, 1, 2], Run(boxes, [0.5f, 0.5f, 0.5f], [0, 0, 0]));
    }

    [Fact]
    public void Run_Empty_ReturnsZero()
    {
        Assert.Empty(Run([], [], []));
    }

    [Fact]
    public void Run_KeepBufferTooSmall_Throws()
    {
        BoxF[] boxes = [new(0, 0, 1, 1), new(10, 10, 11, 11)];
        Assert.Throws<ArgumentException>(() => Nms.Run(boxes, [0.5f, 0.4f], [0, 0], 0.7f, 300, false, new int[1]));
    }

    [Fact]
    public void Run_ClassOffsetTrick_SeparatesClassesOnlyByOffset()
    {
        // Same-class neighbours farther apart than the IoU limit stay; a different-class exact duplicate stays.
        BoxF[] boxes = [new(100, 100, 200, 200), new(150, 100, 250, 200), new(100, 100, 200, 200)];
        int[] kept = Run(boxes, [0.9f, 0.8f, 0.7f], [1, 1, 2], iou: 0.45f);
        Assert.Equal([0, 1, 2], kept);
    }
}
