using static StreamSeg.Import.Tests.OpTestHarness;
using static StreamSeg.Import.Tests.TfjsGraphBuilder;

namespace StreamSeg.Import.Tests;

/// <summary>Conv2D / depthwise / fused conv on hand-built graphs against a direct NHWC reference.</summary>
public sealed class ConvOpTests
{
    [Theory]
    [InlineData("SAME", 6, 2)] // total pad 1: TF puts it at the end (bottom/right)
    [InlineData("SAME", 5, 2)] // total pad 2: one each side
    [InlineData("VALID", 6, 2)]
    [InlineData("SAME", 5, 1)]
    public void Conv2D_MatchesReference(string padding, int size, int stride)
    {
        float[] x = Iota(size * size * 2).Select(v => (v % 7) - 3f).ToArray();
        float[] w = Iota(3 * 3 * 2 * 3).Select(v => ((v % 5) - 2) * 0.5f).ToArray();
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, size, size, 2)
            .Const("w", w, 3, 3, 2, 3)
            .Node("conv", "Conv2D", ["x", "w"], ("padding", S(padding)), ("strides", Ints(1, stride, stride, 1)), ("dilations", Ints(1, 1, 1, 1)))
            .Output("y", "conv:0");
        var y = Run(g, ("x", x, [1, size, size, 2]))["y"];
        (float[] expected, int oh, int ow) = ReferenceConv(x, size, size, 2, w, 3, 3, 3, stride, padding, depthwise: false);
        Assert.Equal([1, oh, ow, 3], y.Shape);
        AssertClose(expected, y.Data);
    }

    [Fact]
    public void FusedDepthwise_WithBiasAndRelu6_MatchesReference()
    {
        const int size = 5, c = 2, m = 2;
        float[] x = Iota(size * size * c).Select(v => (v % 9) - 2f).ToArray();
        float[] w = Iota(3 * 3 * c * m).Select(v => ((v % 4) - 1) * 0.75f).ToArray();
        float[] bias = [0.5f, -1f, 2f, 0f];
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, size, size, c)
            .Const("w", w, 3, 3, c, m)
            .Const("b", bias, c * m)
            .Node("dw", "FusedDepthwiseConv2dNative", ["x", "w", "b"], ("padding", S("SAME")), ("strides", Ints(1, 2, 2, 1)),
                ("dilations", Ints(1, 1, 1, 1)), ("fused_ops", Strs("BiasAdd", "Relu6")), ("num_args", I(1)))
            .Output("y", "dw:0");
        var y = Run(g, ("x", x, [1, size, size, c]))["y"];
        (float[] expected, _, _) = ReferenceConv(x, size, size, c, w, 3, 3, m, 2, "SAME", depthwise: true);
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = Math.Clamp(expected[i] + bias[i % (c * m)], 0, 6);
        }

        AssertClose(expected, y.Data);
    }

    [Fact]
    public void UnknownOp_Throws_NamingOpAndNode()
    {
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 1, 2)
            .Node("weird", "FancyOp", ["x"])
            .Output("y", "weird:0");
        var e = Assert.Throws<NotSupportedException>(() => new TfjsToOnnxConverter().Convert(g.Save()));
        Assert.Contains("FancyOp", e.Message, StringComparison.Ordinal);
        Assert.Contains("weird", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Direct NHWC convolution with TF padding rules (SAME: odd pad at the end).</summary>
    internal static (float[] Y, int Oh, int Ow) ReferenceConv(float[] x, int h, int w, int c, float[] k, int kh, int kw, int co, int stride, string padding, bool depthwise)
    {
        int oh = padding == "SAME" ? (h + stride - 1) / stride : ((h - kh) / stride) + 1;
        int ow = padding == "SAME" ? (w + stride - 1) / stride : ((w - kw) / stride) + 1;
        int padTop = padding == "SAME" ? Math.Max(((oh - 1) * stride) + kh - h, 0) / 2 : 0;
        int padLeft = padding == "SAME" ? Math.Max(((ow - 1) * stride) + kw - w, 0) / 2 : 0;
        int outC = depthwise ? c * co : co;
        var y = new float[oh * ow * outC];
        for (int i = 0; i < oh; i++)
        {
            for (int j = 0; j < ow; j++)
            {
                for (int o = 0; o < outC; o++)
                {
                    double acc = 0;
                    for (int a = 0; a < kh; a++)
                    {
                        for (int b = 0; b < kw; b++)
                        {
                            int yy = (i * stride) + a - padTop, xx = (j * stride) + b - padLeft;
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w)
                            {
                                continue;
                            }

                            if (depthwise)
                            {
                                int ci = o / co, mi = o % co;
                                acc += x[(((yy * w) + xx) * c) + ci] * k[(((((a * kw) + b) * c) + ci) * co) + mi];
                            }
                            else
                            {
                                for (int ci = 0; ci < c; ci++)
                                {
                                    acc += x[(((yy * w) + xx) * c) + ci] * k[(((((a * kw) + b) * c) + ci) * co) + o];
                                }
                            }
                        }
                    }

                    y[(((i * ow) + j) * outC) + o] = (float)acc;
                }
            }
        }

        return (y, oh, ow);
    }
}
