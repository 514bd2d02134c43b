using static StreamSeg.Import.Tests.OpTestHarness;
using static StreamSeg.Import.Tests.TfjsGraphBuilder;

namespace StreamSeg.Import.Tests;

/// <summary>StridedSlice masks, GatherNd, TopKV2 and SpaceToBatchND/BatchToSpaceND on hand-built graphs.</summary>
public sealed class ShapeOpTests
{
    // x has shape [2,3,4] and holds 0..23, so x[a,b,c] = 12a + 4b + c.
    [Fact]
    public void StridedSlice_BeginEndMasksAndStride()
    {
        // x[:, 1:, ::2]
        var y = StridedSlice([0, 1, 0], [0, 0, 0], [1, 1, 2], beginMask: 0b101, endMask: 0b111);
        Assert.Equal([2, 2, 2], y.Shape);
        Assert.Equal(Expected(2, 2, 2, (a, b, c) => (12 * a) + (4 * (b + 1)) + (2 * c)), y.Data);
    }

    [Fact]
    public void StridedSlice_ShrinkEllipsisAndNegativeStride()
    {
        // x[1, ..., ::-1]
        var y = StridedSlice([1, 0, 0], [2, 0, 0], [1, 1, -1], beginMask: 0b100, endMask: 0b100, ellipsisMask: 0b010, shrinkMask: 0b001);
        Assert.Equal([3, 4], y.Shape);
        Assert.Equal(Expected(1, 3, 4, (_, b, c) => 12 + (4 * b) + (3 - c)), y.Data);
    }

    [Fact]
    public void StridedSlice_NewAxisAndShrinkMinusOne()
    {
        // x[:, tf.newaxis, -1]  → shape [2,1,4]
        var y = StridedSlice([0, 0, -1], [0, 0, 0], [1, 1, 1], beginMask: 0b001, endMask: 0b001, newAxisMask: 0b010, shrinkMask: 0b100);
        Assert.Equal([2, 1, 4], y.Shape);
        Assert.Equal(Expected(2, 1, 4, (a, _, c) => (12 * a) + 8 + c), y.Data);
    }

    [Fact]
    public void GatherNd_PicksElements()
    {
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 2, 3)
            .Const("idx", new[] { 1, 2, 0, 0, 1, 0 }, 3, 2)
            .Node("g", "GatherNd", ["x", "idx"], ("Tindices", T("DT_INT32")))
            .Output("y", "g:0");
        var y = Run(g, ("x", [10, 11, 12, 13, 14, 15], [2, 3]))["y"];
        Assert.Equal([15f, 10f, 13f], y.Data);
    }

    [Fact]
    public void TopKV2_SortsDescendingWithLowerIndexFirstOnTies()
    {
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, 6)
            .Const("k", new[] { 3 })
            .Node("t", "TopKV2", ["x", "k"], ("sorted", B(true)))
            .Output("values", "t:0")
            .Output("indices", "t:1");
        var r = Run(g, ("x", [1, 5, 3, 5, 0, 4], [1, 6]));
        Assert.Equal([5f, 5f, 4f], r["values"].Data);
        Assert.Equal([1f, 3f, 5f], r["indices"].Data);
    }

    [Fact]
    public void SpaceToBatchND_OrdersBatchAsTf()
    {
        // x [1,4,4,1] = 0..15, block 2, no padding: out[(ih*2+iw), i, j] = x[2i+ih, 2j+iw].
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, 4, 4, 1)
            .Const("block", new[] { 2, 2 }, 2)
            .Const("pads", new[] { 0, 0, 0, 0 }, 2, 2)
            .Node("s2b", "SpaceToBatchND", ["x", "block", "pads"])
            .Output("y", "s2b:0");
        var y = Run(g, ("x", Iota(16), [1, 4, 4, 1]))["y"];
        Assert.Equal([4, 2, 2, 1], y.Shape);
        var expected = new float[16];
        for (int ih = 0; ih < 2; ih++)
        {
            for (int iw = 0; iw < 2; iw++)
            {
                for (int i = 0; i < 2; i++)
                {
                    for (int j = 0; j < 2; j++)
                    {
                        expected[(((((ih * 2) + iw) * 2) + i) * 2) + j] = (((2 * i) + ih) * 4) + (2 * j) + iw;
                    }
                }
            }
        }

        Assert.Equal(expected, y.Data);
    }

    [Fact]
    public void SpaceToBatchND_ThenBatchToSpaceND_WithPaddingAndCrops_RoundTrips()
    {
        // [1,3,3,2] padded to 4x4 (pad end 1), block 2, then cropped back: identity (the dilated-conv pattern).
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, 3, 3, 2)
            .Const("block", new[] { 2, 2 }, 2)
            .Const("pads", new[] { 0, 1, 0, 1 }, 2, 2)
            .Node("s2b", "SpaceToBatchND", ["x", "block", "pads"])
            .Node("relu", "Relu", ["s2b"])
            .Node("b2s", "BatchToSpaceND", ["relu", "block", "pads"])
            .Output("y", "b2s:0")
            .Output("mid", "s2b:0");
        float[] x = Iota(18);
        var r = Run(g, ("x", x, [1, 3, 3, 2]));
        Assert.Equal([4, 2, 2, 2], r["mid"].Shape);
        Assert.Equal([1, 3, 3, 2], r["y"].Shape);
        Assert.Equal(x, r["y"].Data);
    }

    private static float[] Expected(int d0, int d1, int d2, Func<int, int, int, int> f)
    {
        var r = new List<float>();
        for (int a = 0; a < d0; a++)
        {
            for (int b = 0; b < d1; b++)
            {
                for (int c = 0; c < d2; c++)
                {
                    r.Add(f(a, b, c));
                }
            }
        }

        return [.. r];
    }

    private static (float[] Data, int[] Shape) StridedSlice(int[] begin, int[] end, int[] strides, long beginMask = 0, long endMask = 0, long ellipsisMask = 0, long newAxisMask = 0, long shrinkMask = 0)
    {
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 2, 3, 4)
            .Const("begin", begin, begin.Length)
            .Const("end", end, end.Length)
            .Const("strides", strides, strides.Length)
            .Node("ss", "StridedSlice", ["x", "begin", "end", "strides"],
                ("begin_mask", I(beginMask)), ("end_mask", I(endMask)), ("ellipsis_mask", I(ellipsisMask)),
                ("new_axis_mask", I(newAxisMask)), ("shrink_axis_mask", I(shrinkMask)))
            .Output("y", "ss:0");
        return Run(g, ("x", Iota(24), [2, 3, 4]))["y"];
    }
}
