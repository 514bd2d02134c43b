using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class SelfieAdapterTests
{
    private static readonly ModelSignature s_signature = TestSignatures.Make(
        [TestSignatures.Float("input_1", 1, 256, 256, 3)], [TestSignatures.Float("activation_10", 1, 256, 256, 1)]);

    [Theory]
    [InlineData("basketball1")]
    [InlineData("vtest_f000")]
    public void DecodeMatte_OracleOutput_IsTheWholeMaskInFrameCoordinates(string image)
    {
        using JsonDocument doc = OracleData.Json("selfie", image + ".json");
        JsonElement root = doc.RootElement;
        int w = root.GetProperty("imageSize").GetProperty("w").GetInt32();
        int h = root.GetProperty("imageSize").GetProperty("h").GetInt32();
        var adapter = new SelfieAdapter(s_signature, AdapterOptions.Default);
        Assert.Equal(ModelTask.Matte, adapter.Task);
        Assert.Equal(OracleData.Shape(root.GetProperty("input").GetProperty("shape")), TensorWriter.ShapeFor(adapter.Input, w, h));

        float[] output = OracleData.F32("selfie", image + ".output.f32");
        LetterboxTransform t = TensorWriter.TransformFor(adapter.Input, w, h);
        using Matte matte = adapter.DecodeMatte([new RawTensor("activation_10", [1, 256, 256, 1], output)], t);

        Assert.Equal((256, 256), (matte.Width, matte.Height));
        Assert.Equal((w, h), (matte.FrameWidth, matte.FrameHeight));
        Assert.True(matte.Alpha.SequenceEqual(output));
        int foreground = 0;
        foreach (float a in matte.Alpha)
        {
            foreground += a > 0.5f ? 1 : 0;
        }

        Assert.Equal(root.GetProperty("output").GetProperty("foregroundFraction").GetDouble(), foreground / (256.0 * 256.0), 1e-5);

        // Frame pixel (x, y) samples the matte pixel under its centre: floor((x + 0.5) · 256 / w).
        int fx = w - 1;
        int fy = h / 2;
        int mx = (int)((fx + 0.5) * 256 / w);
        int my = (int)((fy + 0.5) * 256 / h);
        Assert.Equal(output[(my * 256) + mx], matte.AlphaAtFramePixel(fx, fy));
        Assert.Equal(0, adapter.Decode([], t).Count);
    }

    [Fact]
    public void TryMatch_ThreeChannelOutput_Refused()
    {
        ModelSignature sig = TestSignatures.Make([TestSignatures.Float("input_1", 1, 256, 256, 3)], [TestSignatures.Float("x", 1, 256, 256, 3)]);
        Assert.False(SelfieAdapter.TryMatch(sig, out _));
    }
}
