using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Models;

namespace StreamSeg.Tests.Preprocess;

/// <summary>
/// The TF-style resize reproduces the TF.js references' model inputs bit for bit. The original images come from the
/// RVM references, which fed them unresized (lossless PNG, so no decoder differences).
/// </summary>
public class TfResizeTests
{
    [Theory]
    [InlineData("single.basketball1.input.png", "movenet-multipose", "basketball1.long256.input.png", 256)]
    [InlineData("seq.vtest_f000.input.png", "movenet-multipose", "vtest_f000.long256.input.png", 256)]
    [InlineData("seq.vtest_f000.input.png", "movenet-multipose", "vtest_f000.long512.input.png", 512)]
    public void MoveNet_Int32Truncated_MatchesOracleInput(string original, string model, string expectedPng, int longSide)
    {
        InputSpec spec = MoveNetMultiPoseAdapter.CreateInput("input", longSide);
        int[] actual = Write(original, spec, int32: true, out long[] shape).Ints!;
        using Mat expected = Cv2.ImRead(OracleData.PathOf(model, expectedPng), ImreadModes.Color);
        Assert.Equal([1L, expected.Height, expected.Width, 3], shape);
        AssertSameRgb(expected, i => actual[i]);
    }

    [Fact]
    public void Selfie_FloatRounded_MatchesOracleInput()
    {
        var spec = new InputSpec("input_1", 256, 256, Letterbox: false, PadValue: 0, Scale: 1f / 255f, Layout: TensorLayout.Nhwc) { Resize = ResizeMode.TfAsymmetric };
        float[] actual = Write("single.basketball1.input.png", spec, int32: false, out _).Floats!;
        using Mat expected = Cv2.ImRead(OracleData.PathOf("selfie", "basketball1.input.png"), ImreadModes.Color);
        AssertSameRgb(expected, i => (int)MathF.Round(actual[i] * 255f));
    }

    [Fact]
    public void CenterNet_FloatUnscaled_MatchesOracleInput()
    {
        var spec = new InputSpec("tower_0/images", 512, 512, Letterbox: false, PadValue: 0, Scale: 1f, Layout: TensorLayout.Nhwc) { Resize = ResizeMode.TfAsymmetric };
        float[] actual = Write("single.basketball1.input.png", spec, int32: false, out _).Floats!;
        using Mat expected = Cv2.ImRead(OracleData.PathOf("centernet", "basketball1.input.png"), ImreadModes.Color);
        AssertSameRgb(expected, i => (int)actual[i]);
    }

    private static PooledTensor Write(string original, InputSpec spec, bool int32, out long[] shape)
    {
        using Mat bgr = Cv2.ImRead(OracleData.PathOf("rvm", original), ImreadModes.Color);
        shape = TensorWriter.ShapeFor(spec, bgr.Width, bgr.Height);
        PooledTensor tensor = PooledTensor.CreateUnpooled(shape, int32);
        using var writer = new TensorWriter();
        writer.Write(bgr, spec, tensor);
        return tensor;
    }

    private static void AssertSameRgb(Mat expectedBgr, Func<int, int> actualAt)
    {
        int mismatches = 0;
        int height = expectedBgr.Height;
        int width = expectedBgr.Width;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Vec3b px = expectedBgr.At<Vec3b>(y, x);
                int o = ((y * width) + x) * 3;
                mismatches += actualAt(o) != px.Item2 || actualAt(o + 1) != px.Item1 || actualAt(o + 2) != px.Item0 ? 1 : 0;
            }
        }

        Assert.Equal(0, mismatches);
    }
}
