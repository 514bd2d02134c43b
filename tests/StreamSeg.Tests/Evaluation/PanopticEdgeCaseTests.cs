using OpenCvSharp;
using StreamSeg.Evaluation.Panoptic;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation;

/// <summary>Hand-computed Panoptic Quality cases on one-row images for the rules panopticapi applies (VOID, crowd, IoU &gt; 0.5).</summary>
public sealed class PanopticEdgeCaseTests
{
    private const int A = 1, B = 2, S = 3;

    private static readonly PanopticCategory[] s_categories =
    [
        new(A, "a", IsThing: true),
        new(B, "b", IsThing: true),
        new(S, "s", IsThing: false),
    ];

    [Fact]
    public void PredictionPixelsOnVoid_AreLeftOutOfTheUnion()
    {
        // GT segment 1 (4 px) then 6 VOID px; the prediction covers 8 px. IoU = 4 / (8 + 4 − 4 − 4 on VOID) = 1.
        PanopticResult r = One([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [5, 5, 5, 5, 5, 5, 5, 5, 0, 0], [Seg(1, A, 4)], [Seg(5, A)]);
        PanopticCategoryStats a = r.PerCategory[A];
        Assert.Equal((1, 0, 0, 1.0), (a.TP, a.FP, a.FN, a.IouSum));
        Assert.Equal(1.0, r.All.PQ);
        Assert.Equal(1, r.All.N);
    }

    [Fact]
    public void IouOfExactlyHalf_IsNotAMatch()
    {
        // Prediction (4 px, A) ∩ GT 1 (2 px, A) = 2, union 4: IoU 0.5 is not > 0.5, so FN + FP; stuff S unmatched: FN.
        PanopticResult r = One([1, 1, 2, 2], [5, 5, 5, 5], [Seg(1, A, 2), Seg(2, S, 2)], [Seg(5, A)]);
        Assert.Equal((0, 1, 1), (r.PerCategory[A].TP, r.PerCategory[A].FP, r.PerCategory[A].FN));
        Assert.Equal(1, r.PerCategory[S].FN);
        Assert.Equal(new PanopticQuality(0, 0, 0, 2), r.All);
        Assert.Equal(1, r.Things.N); // B has no GT and no prediction: left out
    }

    [Fact]
    public void CrowdRegion_IsNeverMatchedNorMissed_AndAbsorbsOnlyItsOwnCategory()
    {
        // GT: crowd of A on px 0-5, stuff S on 6-9. Pred 5 (A) lies on the crowd (IoU 4/6 would pass, but crowd never
        // matches): ignored. Pred 6 (B) on the crowd of A: a FP. Pred 7 (S) equals the stuff: TP with IoU 1.
        PanopticResult r = One(
            [1, 1, 1, 1, 1, 1, 2, 2, 2, 2],
            [5, 5, 5, 5, 6, 6, 7, 7, 7, 7],
            [Seg(1, A, 6, crowd: true), Seg(2, S, 4)],
            [Seg(5, A), Seg(6, B), Seg(7, S)]);
        Assert.False(r.PerCategory[A].Counted);
        Assert.Equal((0, 1, 0), (r.PerCategory[B].TP, r.PerCategory[B].FP, r.PerCategory[B].FN));
        Assert.Equal(1, r.PerCategory[S].TP);
        Assert.Equal(new PanopticQuality(0.5, 0.5, 0.5, 2), r.All);
        Assert.Equal(new PanopticQuality(0, 0, 0, 1), r.Things);
        Assert.Equal(new PanopticQuality(1, 1, 1, 1), r.Stuff);
    }

    [Fact]
    public void TwoCrowdRegionsOfOneCategory_OnlyTheLastListedAbsorbs()
    {
        // panopticapi keeps one crowd segment per category in a dict: the last one listed (2). Pred 5 on crowd 1 is a FP.
        PanopticResult r = One(
            [1, 1, 1, 2, 2, 2, 3, 3],
            [5, 5, 5, 6, 6, 6, 7, 7],
            [Seg(1, A, 3, crowd: true), Seg(2, A, 3, crowd: true), Seg(3, S, 2)],
            [Seg(5, A), Seg(6, A), Seg(7, S)]);
        Assert.Equal((0, 1, 0), (r.PerCategory[A].TP, r.PerCategory[A].FP, r.PerCategory[A].FN));
    }

    [Fact]
    public void UnmatchedPrediction_IsIgnoredOnlyWhenMoreThanHalfIsVoid()
    {
        // Pred 5: 3 of 4 px on VOID → ignored. Pred 6 (B): no VOID → FP. Pred 7 (S): IoU 4 / (4 + 7 − 4) = 4/7 → TP.
        PanopticResult r = One(
            [0, 0, 0, 1, 1, 1, 1, 1, 1, 1],
            [5, 5, 5, 5, 6, 6, 7, 7, 7, 7],
            [Seg(1, S, 7)],
            [Seg(5, A), Seg(6, B), Seg(7, S)]);
        Assert.False(r.PerCategory[A].Counted);
        Assert.Equal(1, r.PerCategory[B].FP);
        Assert.Equal(4.0 / 7, r.PerCategory[S].IouSum);

        // Exactly half on VOID is not "more than half": a FP.
        PanopticResult half = One([0, 0, 1, 1], [5, 5, 5, 5], [Seg(1, S, 2)], [Seg(5, A)]);
        Assert.Equal(1, half.PerCategory[A].FP);
    }

    [Fact]
    public void Counts_AddUpOverImages_BeforeDividing()
    {
        // Image 1: A matched with IoU 1; image 2: A missed. PQ = 1 / (1 + ½) = 2/3, not the mean of 1 and 0.
        var acc = new PanopticAccumulator(s_categories);
        acc.AddImage(new[] { 1, 1 }, new[] { 5, 5 }, new("1", "1.png", [Seg(1, A, 2)]), new("1", "1.png", [Seg(5, A)]));
        acc.AddImage(new[] { 1, 1 }, new[] { 0, 0 }, new("2", "2.png", [Seg(1, A, 2)]), new("2", "2.png", []));
        var r = new PanopticResult(s_categories, acc.Stats, 2);
        Assert.Equal(2.0 / 3, r.PerCategory[A].PQ);
        Assert.Equal(1.0, r.PerCategory[A].SQ);
    }

    [Fact]
    public void PredictionThatDisagreesWithItsPng_IsRejected()
    {
        var acc = new PanopticAccumulator(s_categories);
        Assert.Throws<InvalidDataException>(() => acc.AddImage(new[] { 1, 1 }, new[] { 5, 9 }, new("1", "x", [Seg(1, A, 2)]), new("1", "x", [Seg(5, A)])));
        Assert.Throws<InvalidDataException>(() => acc.AddImage(new[] { 1, 1 }, new[] { 5, 5 }, new("1", "x", [Seg(1, A, 2)]), new("1", "x", [Seg(5, A), Seg(6, A)])));
        Assert.Throws<InvalidDataException>(() => acc.AddImage(new[] { 1, 1 }, new[] { 5, 5 }, new("1", "x", [Seg(1, A, 2)]), new("1", "x", [Seg(5, 42)])));
    }

    [Fact]
    public void PngReader_DecodesRgbNotBgr()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "ids.png");
        using (var mat = new Mat(1, 2, MatType.CV_8UC3, Scalar.All(0)))
        {
            mat.Set(0, 0, new Vec3b(1, 2, 3)); // B, G, R
            Cv2.ImWrite(path, mat);
        }

        int[] ids = [];
        (int w, int h) = PanopticPngReader.Read(path, ref ids, System.Buffers.ArrayPool<int>.Shared);
        Assert.Equal((2, 1), (w, h));
        Assert.Equal(3 + (2 * 256) + (1 * 65536), ids[0]);
        Assert.Equal(0, ids[1]);
        System.Buffers.ArrayPool<int>.Shared.Return(ids);
    }

    private static PanopticSegment Seg(int id, int category, double area = 0, bool crowd = false) => new(id, category, crowd, area);

    private static PanopticResult One(int[] gt, int[] pred, PanopticSegment[] gtSegments, PanopticSegment[] predSegments)
    {
        var acc = new PanopticAccumulator(s_categories);
        acc.AddImage(gt, pred, new("1", "1.png", gtSegments), new("1", "1.png", predSegments));
        return new PanopticResult(s_categories, acc.Stats, 1);
    }
}
