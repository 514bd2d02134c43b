using static StreamSeg.Import.Tests.OpTestHarness;
using static StreamSeg.Import.Tests.TfjsGraphBuilder;

namespace StreamSeg.Import.Tests;

/// <summary>ResizeBilinear in its three coordinate modes against the TF.js CPU kernel's formula (doc §7).</summary>
public sealed class ResizeOpTests
{
    [Theory]
    [InlineData(false, false, 2, 3, 4, 5)]
    [InlineData(true, false, 2, 3, 4, 5)]
    [InlineData(false, true, 2, 3, 4, 5)]
    [InlineData(false, true, 4, 4, 1, 3)]
    [InlineData(true, false, 3, 5, 1, 2)]
    public void ResizeBilinear_MatchesTfjsKernel(bool alignCorners, bool halfPixel, int h, int w, int nh, int nw)
    {
        float[] x = Iota(h * w * 2).Select(v => (v * 1.7f) % 11).ToArray();
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, h, w, 2)
            .Const("size", new[] { nh, nw }, 2)
            .Node("r", "ResizeBilinear", ["x", "size"], ("align_corners", B(alignCorners)), ("half_pixel_centers", B(halfPixel)))
            .Output("y", "r:0");
        var y = Run(g, ("x", x, [1, h, w, 2]))["y"];
        Assert.Equal([1, nh, nw, 2], y.Shape);
        AssertClose(Reference(x, h, w, 2, nh, nw, alignCorners, halfPixel), y.Data);
    }

    private static float[] Reference(float[] x, int h, int w, int c, int nh, int nw, bool alignCorners, bool halfPixel)
    {
        static (int Lo, int Hi, double Frac) Src(int o, int inSize, int outSize, bool ac, bool hp)
        {
            double ratio = ac && outSize > 1 ? (inSize - 1.0) / (outSize - 1.0) : (double)inSize / outSize;
            double s = hp ? (ratio * (o + 0.5)) - 0.5 : ratio * o;
            int lo = Math.Max(0, (int)Math.Floor(s));
            int hi = Math.Min(inSize - 1, (int)Math.Ceiling(s));
            return (lo, hi, s - lo);
        }

        var y = new float[nh * nw * c];
        for (int i = 0; i < nh; i++)
        {
            var (t, b, fy) = Src(i, h, nh, alignCorners, halfPixel);
            for (int j = 0; j < nw; j++)
            {
                var (l, r, fx) = Src(j, w, nw, alignCorners, halfPixel);
                for (int k = 0; k < c; k++)
                {
                    double tl = x[(((t * w) + l) * c) + k], tr = x[(((t * w) + r) * c) + k];
                    double bl = x[(((b * w) + l) * c) + k], br = x[(((b * w) + r) * c) + k];
                    double top = tl + ((tr - tl) * fx), bottom = bl + ((br - bl) * fx);
                    y[(((i * nw) + j) * c) + k] = (float)(top + ((bottom - top) * fy));
                }
            }
        }

        return y;
    }
}
