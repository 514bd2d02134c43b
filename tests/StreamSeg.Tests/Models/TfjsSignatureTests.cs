using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

/// <summary>The factory recognises the TF.js imports from the signatures the oracle's signatures.json lists.</summary>
public class TfjsSignatureTests
{
    private static TensorSignature Unknown(string name) => new(name, "Float", []);

    public static ModelSignature MoveNet() =>
        TestSignatures.Make([new TensorSignature("input", "Int32", [1, -1, -1, 3])], [Unknown("Identity")]);

    public static ModelSignature Rvm() =>
        TestSignatures.Make(
            [TestSignatures.Float("src", -1, -1, -1, 3), Unknown("r2i"), Unknown("downsample_ratio"), Unknown("r1i"), Unknown("r3i"), Unknown("r4i")],
            [
                TestSignatures.Float("Identity_5", -1, -1, -1, 64), TestSignatures.Float("Identity_1", -1, -1, -1, 1), TestSignatures.Float("Identity", -1, -1, -1, 3),
                TestSignatures.Float("Identity_4", -1, -1, -1, 40), TestSignatures.Float("Identity_3", -1, -1, -1, 20), TestSignatures.Float("Identity_2", -1, -1, -1, 16),
            ]);

    public static ModelSignature Selfie() =>
        TestSignatures.Make([TestSignatures.Float("input_1", 1, 256, 256, 3)], [TestSignatures.Float("activation_10", 1, 256, 256, 1)]);

    public static ModelSignature CenterNet() =>
        TestSignatures.Make(
            [TestSignatures.Float("tower_0/images", 1, 512, 512, 3)],
            [Unknown("tower_0/wh"), Unknown("tower_0/keypoints"), Unknown("tower_0/detections")]);

    [Fact]
    public void Create_TfjsImports_PickTheirAdapters()
    {
        Assert.IsType<MoveNetMultiPoseAdapter>(ModelAdapterFactory.Create(MoveNet()));
        Assert.IsType<RvmMatteAdapter>(ModelAdapterFactory.Create(Rvm()));
        Assert.IsType<SelfieAdapter>(ModelAdapterFactory.Create(Selfie()));
        Assert.IsType<CenterNetAdapter>(ModelAdapterFactory.Create(CenterNet()));
        Assert.IsType<MoveNetMultiPoseAdapter>(ModelAdapterFactory.Create(MoveNet(), "movenet-multipose"));
    }

    [Fact]
    public void Rvm_TfjsOutputNames_MapToStates()
    {
        var rvm = (RvmMatteAdapter)ModelAdapterFactory.Create(Rvm());
        Assert.Equal(
            [new RecurrentStatePair("r1i", "Identity_2"), new RecurrentStatePair("r2i", "Identity_3"), new RecurrentStatePair("r3i", "Identity_4"), new RecurrentStatePair("r4i", "Identity_5")],
            rvm.States);
        Assert.Empty(rvm.InitialStateShape);
        ModelSignature rank4 = TestSignatures.Make(
            [TestSignatures.Float("src", 1, -1, -1, 3), TestSignatures.Float("r1i", 1, -1, -1, 16), TestSignatures.Float("r2i", 1, -1, -1, 20),
             TestSignatures.Float("r3i", 1, -1, -1, 40), TestSignatures.Float("r4i", 1, -1, -1, 64), Unknown("downsample_ratio")],
            [.. Rvm().Outputs]);
        Assert.Equal([1L, 1, 1, 1], new RvmMatteAdapter(rank4, AdapterOptions.Default).InitialStateShape);
        Assert.True(rvm.Input.NativeSize);
        Assert.Equal(TensorLayout.Nhwc, rvm.Input.Layout);
    }

    [Fact]
    public void Create_NothingFits_MessageListsTheTfjsSignatures()
    {
        ModelSignature odd = TestSignatures.Make([TestSignatures.Float("x", 1, 7)], [TestSignatures.Float("y", 1, 7)]);
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(odd));
        Assert.Contains("movenet-multipose: 1 input [1,H,W,3] int32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rvm: 6 inputs: src", ex.Message, StringComparison.Ordinal);
        Assert.Contains("selfie: 1 input", ex.Message, StringComparison.Ordinal);
        Assert.Contains("centernet: 1 input [1,512,512,3]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(768, 576, 0.5f)]
    [InlineData(1920, 1080, 0.25f)]
    [InlineData(1280, 720, 0.25f)]
    [InlineData(3840, 2160, 0.125f)]
    [InlineData(384, 288, 1f)]
    [InlineData(640, 480, 0.625f)]
    public void DownsampleRatioFor_AimsAt384LongSide(int w, int h, float expected) =>
        Assert.Equal(expected, RvmMatteAdapter.DownsampleRatioFor(w, h));

    [Theory]
    [InlineData("seq.vtest_f000.json")]
    [InlineData("seq.vtest_f001.json")]
    public void ExtraInputs_ForOracleFrame_GiveTheOracleRatio_AndPhaIsFrameSized(string file)
    {
        using System.Text.Json.JsonDocument doc = OracleData.Json("rvm", file);
        System.Text.Json.JsonElement root = doc.RootElement;
        int w = root.GetProperty("imageSize").GetProperty("w").GetInt32();
        int h = root.GetProperty("imageSize").GetProperty("h").GetInt32();
        var rvm = new RvmMatteAdapter(Rvm(), AdapterOptions.Default);
        Assert.Equal(root.GetProperty("inputs").GetProperty("downsample_ratio").GetSingle(), rvm.ExtraInputs(w, h)[0].Span[0]);
        Assert.Equal(OracleData.Shape(root.GetProperty("inputs").GetProperty("src")), StreamSeg.Preprocess.TensorWriter.ShapeFor(rvm.Input, w, h));
        Assert.Equal([1L, h, w, 1], OracleData.Shape(root.GetProperty("outputs").GetProperty("pha").GetProperty("shape")));
    }

    [Fact]
    public void ExtraInputs_SameSize_SameInstances_OptionOverrides()
    {
        var rvm = new RvmMatteAdapter(Rvm(), AdapterOptions.Default);
        IReadOnlyList<RawTensor> a = rvm.ExtraInputs(768, 576);
        Assert.Same(a, rvm.ExtraInputs(768, 576));
        Assert.Equal("downsample_ratio", a[0].Name);
        Assert.Empty(a[0].Shape);
        Assert.Equal(0.5f, a[0].Span[0]);
        var fixedRatio = new RvmMatteAdapter(Rvm(), AdapterOptions.Default with { DownsampleRatio = 0.4f });
        Assert.Equal(0.4f, fixedRatio.ExtraInputs(768, 576)[0].Span[0]);
    }
}
