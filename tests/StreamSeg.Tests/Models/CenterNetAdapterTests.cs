using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class CenterNetAdapterTests
{
    // Output order as TF.js lists them; the adapter finds the detections by name.
    private static readonly ModelSignature s_signature = TestSignatures.Make(
        [TestSignatures.Float("tower_0/images", 1, 512, 512, 3)],
        [
            TestSignatures.Float("tower_0/wh", 1, 128, 128, 4),
            TestSignatures.Float("tower_0/keypoints", 1, 128, 128, 80),
            TestSignatures.Float("tower_0/detections", 1, 100, 6),
        ]);

    [Theory]
    [InlineData("vtest_f000")]
    [InlineData("basketball1")]
    [InlineData("messi5")]
    public void Decode_OracleDetections_MatchOracleObjects(string image)
    {
        using JsonDocument doc = OracleData.Json("centernet", image + ".json");
        JsonElement root = doc.RootElement;
        int w = root.GetProperty("imageSize").GetProperty("w").GetInt32();
        int h = root.GetProperty("imageSize").GetProperty("h").GetInt32();
        var adapter = new CenterNetAdapter(s_signature, AdapterOptions.Default);
        LetterboxTransform t = TensorWriter.TransformFor(adapter.Input, w, h);
        Assert.Equal([1L, 512, 512, 3], TensorWriter.ShapeFor(adapter.Input, w, h));

        JsonElement det = root.GetProperty("outputs").GetProperty("tower_0/detections");
        RawTensor raw = OracleData.Tensor("tower_0/detections", det.GetProperty("shape"), det.GetProperty("data"));
        var empty = new RawTensor("x", [1], new float[1]);
        Instances result = adapter.Decode([empty, empty, raw], t);

        var objects = root.GetProperty("objects").EnumerateArray().ToList();
        Assert.NotEmpty(objects);
        Assert.Equal(objects.Count, result.Count);
        for (int i = 0; i < objects.Count; i++)
        {
            JsonElement o = objects[i];
            Assert.Equal(o.GetProperty("class").GetInt32(), result.ClassIds[i]);
            Assert.Equal(o.GetProperty("label").GetString(), result.ClassName(result.ClassIds[i]));
            Assert.Equal(o.GetProperty("score").GetSingle(), result.Scores[i], 5);
            JsonElement box = o.GetProperty("box");
            BoxF b = result.Boxes[i];

            // The reference rounds to whole pixels and does not clip.
            Assert.Equal(box.GetProperty("x0").GetSingle(), Math.Clamp(b.X1, 0, w), 0.51f);
            Assert.Equal(box.GetProperty("y0").GetSingle(), Math.Clamp(b.Y1, 0, h), 0.51f);
            Assert.InRange(b.X2, Math.Min(w, box.GetProperty("x1").GetSingle()) - 0.51f, box.GetProperty("x1").GetSingle() + 0.51f);
            Assert.InRange(b.Y2, Math.Min(h, box.GetProperty("y1").GetSingle()) - 0.51f, box.GetProperty("y1").GetSingle() + 0.51f);
        }
    }

    [Fact]
    public void CocoNames_Are80_ContiguousOrder()
    {
        Assert.Equal(80, CocoCategories.Coco80.Count);
        Assert.Equal("person", CocoCategories.Coco80[0]);
        Assert.Equal("remote", CocoCategories.Coco80[65]);
        Assert.Equal("toothbrush", CocoCategories.Coco80[79]);
    }

    [Fact]
    public void TryMatch_NoDetectionsOutput_Refused()
    {
        ModelSignature sig = TestSignatures.Make([TestSignatures.Float("tower_0/images", 1, 512, 512, 3)], [TestSignatures.Float("tower_0/wh", 1, 128, 128, 4)]);
        Assert.False(CenterNetAdapter.TryMatch(sig, out string? reason));
        Assert.Contains("tower_0/detections", reason, StringComparison.Ordinal);
    }
}
