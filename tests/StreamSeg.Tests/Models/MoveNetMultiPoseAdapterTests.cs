using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class MoveNetMultiPoseAdapterTests
{
    private const string Model = "movenet-multipose";

    private static ModelSignature Signature(long h = -1, long w = -1) =>
        TestSignatures.Make([new TensorSignature("input", "Int32", [1, h, w, 3])], [TestSignatures.Float("Identity", 1, 6, 56)]);

    [Theory]
    [InlineData(768, 576, 256, 256, 192)]
    [InlineData(768, 576, 512, 512, 384)]
    [InlineData(640, 480, 256, 256, 192)]
    [InlineData(548, 342, 256, 256, 160)]   // 342 · 256/548 = 159.8 → 160
    [InlineData(480, 640, 256, 192, 256)]
    [InlineData(100, 100, 256, 256, 256)]
    [InlineData(1000, 40, 256, 256, 32)]    // never below one multiple
    public void Input_LongSide_RoundsShortSideTo32_AndStretches(int w, int h, int longSide, int inW, int inH)
    {
        var adapter = new MoveNetMultiPoseAdapter(Signature(), AdapterOptions.Default with { LongSide = longSide });
        Assert.Equal([1L, inH, inW, 3], TensorWriter.ShapeFor(adapter.Input, w, h));
        LetterboxTransform t = TensorWriter.TransformFor(adapter.Input, w, h);
        Assert.Equal((0, 0), (t.PadX, t.PadY));
        Assert.Equal((float)inW / w, t.ScaleX, 6);
        Assert.Equal((float)inH / h, t.ScaleY, 6);
        Assert.Equal(InputElementType.Int32, adapter.Input.ElementType);
        Assert.Equal(TensorLayout.Nhwc, adapter.Input.Layout);
        Assert.Equal(1f, adapter.Input.Scale);
    }

    [Theory]
    [InlineData("vtest_f000.long256.json", 256)]
    [InlineData("vtest_f100.long256.json", 256)]
    [InlineData("vtest_f000.long512.json", 512)]
    [InlineData("vtest_f100.long512.json", 512)]
    [InlineData("basketball1.long256.json", 256)]
    public void Decode_OracleRawOutput_MatchesOraclePersons(string file, int longSide)
    {
        using JsonDocument doc = OracleData.Json(Model, file);
        JsonElement root = doc.RootElement;
        int w = root.GetProperty("imageSize").GetProperty("w").GetInt32();
        int h = root.GetProperty("imageSize").GetProperty("h").GetInt32();
        var adapter = new MoveNetMultiPoseAdapter(Signature(), AdapterOptions.Default with { LongSide = longSide });

        // The input size we choose is the one the reference fed.
        long[] oracleInput = OracleData.Shape(root.GetProperty("input").GetProperty("shape"));
        Assert.Equal(oracleInput, TensorWriter.ShapeFor(adapter.Input, w, h));
        LetterboxTransform t = TensorWriter.TransformFor(adapter.Input, w, h);

        JsonElement output = root.GetProperty("output");
        RawTensor raw = OracleData.Tensor("Identity", output.GetProperty("shape"), output.GetProperty("data"));
        Instances result = adapter.Decode([raw], t);

        var expected = root.GetProperty("persons").EnumerateArray().Where(p => p.GetProperty("aboveThreshold").GetBoolean()).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, result.Count);

        // One input pixel in frame pixels, plus the 0.1 px rounding of the reference.
        float tolX = (1f / t.ScaleX) + 0.05f;
        float tolY = (1f / t.ScaleY) + 0.05f;
        for (int i = 0; i < expected.Count; i++)
        {
            JsonElement person = expected[i];
            Assert.Equal(person.GetProperty("score").GetSingle(), result.Scores[i], 4);
            Assert.Equal("person", result.ClassName(result.ClassIds[i]));
            int k = 0;
            foreach (JsonElement kp in person.GetProperty("keypoints").EnumerateArray())
            {
                Keypoint actual = result.KeypointsOf(i)[k++];
                Assert.InRange(actual.X, kp.GetProperty("x").GetSingle() - tolX, kp.GetProperty("x").GetSingle() + tolX);
                Assert.InRange(actual.Y, kp.GetProperty("y").GetSingle() - tolY, kp.GetProperty("y").GetSingle() + tolY);
                Assert.Equal(kp.GetProperty("score").GetSingle(), actual.Score, 4);
            }

            JsonElement box = person.GetProperty("box");
            BoxF b = result.Boxes[i];
            Assert.InRange(b.X1, box.GetProperty("x0").GetSingle() - tolX - 0.5f, box.GetProperty("x0").GetSingle() + tolX + 0.5f);
            Assert.InRange(b.Y1, box.GetProperty("y0").GetSingle() - tolY - 0.5f, box.GetProperty("y0").GetSingle() + tolY + 0.5f);
            Assert.InRange(b.X2, box.GetProperty("x1").GetSingle() - tolX - 0.5f, box.GetProperty("x1").GetSingle() + tolX + 0.5f);
            Assert.InRange(b.Y2, box.GetProperty("y1").GetSingle() - tolY - 0.5f, box.GetProperty("y1").GetSingle() + tolY + 0.5f);
        }
    }

    [Fact]
    public void Decode_PaddedInput_UndoesPaddingBeforeScaling()
    {
        // A fixed 256×256 input letterboxes a 512×256 frame: scale 0.5, 64 px bands top and bottom.
        var adapter = new MoveNetMultiPoseAdapter(Signature(256, 256), AdapterOptions.Default);
        LetterboxTransform t = TensorWriter.TransformFor(adapter.Input, 512, 256);
        Assert.Equal((0, 64), (t.PadX, t.PadY));
        var data = new float[6 * 56];
        data[0] = 0.5f;          // nose y → 128 input px → (128 − 64) / 0.5 = 128
        data[1] = 0.25f;         // nose x → 64 input px → 128
        data[2] = 0.9f;
        data[51] = 0.25f;        // ymin → 64 → 0
        data[52] = 0f;
        data[53] = 0.75f;        // ymax → 192 → 256
        data[54] = 1f;
        data[55] = 0.8f;
        Instances result = adapter.Decode([new RawTensor("Identity", [1, 6, 56], data)], t);
        Assert.Equal(1, result.Count);
        Assert.Equal(new Keypoint(128, 128, 0.9f), result.KeypointsOf(0)[0]);
        Assert.Equal(new BoxF(0, 0, 512, 256), result.Boxes[0]);
    }

    [Fact]
    public void Decode_ScoreAtThreshold_IsDropped()
    {
        var adapter = new MoveNetMultiPoseAdapter(Signature(), AdapterOptions.Default);
        var data = new float[6 * 56];
        data[55] = 0.2f;
        data[56 + 55] = 0.21f;
        Instances result = adapter.Decode([new RawTensor("Identity", [1, 6, 56], data)], LetterboxTransform.Stretch(64, 64, 64, 64));
        Assert.Equal(1, result.Count);
        Assert.Equal(0.21f, result.Scores[0]);
    }

    [Fact]
    public void TryMatch_FloatInput_Refused()
    {
        ModelSignature sig = TestSignatures.Make([TestSignatures.Float("input", 1, -1, -1, 3)], [TestSignatures.Float("Identity", 1, 6, 56)]);
        Assert.False(MoveNetMultiPoseAdapter.TryMatch(sig, out string? reason));
        Assert.Contains("int32", reason, StringComparison.Ordinal);
    }
}
