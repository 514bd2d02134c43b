using static StreamSeg.Import.Tests.OpTestHarness;

namespace StreamSeg.Import.Tests;

/// <summary>float16 and affine uint8/uint16 weight decoding (doc §1), directly and through a converted graph.</summary>
public sealed class WeightDecodingTests
{
    [Fact]
    public void Float16_DecodesToFloat32()
    {
        float[] values = [1f, -2.5f, 0.333251953125f, 65504f];
        byte[] bytes = values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();
        TensorData t = TfjsModel.DecodeWeight(bytes, "float32", [4], 4, "float16", 1, 0);
        Assert.Equal(values, t.Floats);
    }

    [Fact]
    public void Uint8_Affine_DecodesAsQTimesScalePlusMin()
    {
        byte[] q = [0, 1, 128, 255];
        const double scale = 0.0123, min = -1.5;
        TensorData t = TfjsModel.DecodeWeight(q, "float32", [2, 2], 4, "uint8", scale, min);
        Assert.Equal(q.Select(b => (float)((b * scale) + min)).ToArray(), t.Floats);
        Assert.Equal([2L, 2], t.Shape);
    }

    [Fact]
    public void Uint16_Affine_Int32_RoundsLikeJs()
    {
        byte[] q = new ushort[] { 0, 3, 5 }.SelectMany(BitConverter.GetBytes).ToArray();
        TensorData t = TfjsModel.DecodeWeight(q, "int32", [3], 3, "uint16", 0.5, -1);
        Assert.Equal([-1L, 1, 2], t.Ints!); // 0.5 → 1 and 1.5 → 2 (Math.round rounds halves up)
    }

    [Fact]
    public void QuantizedConsts_FlowThroughConvertedGraph()
    {
        float[] halfValues = [0.5f, -1.25f, 3f];
        byte[] half = halfValues.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();
        var g = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 3)
            .QuantizedConst("h", half, new() { ["dtype"] = "float16" }, 3)
            .QuantizedConst("u", [0, 10, 20], new() { ["dtype"] = "uint8", ["scale"] = 0.1, ["min"] = -1.0 }, 3)
            .Node("a", "AddV2", ["x", "h"])
            .Node("m", "Mul", ["a", "u"])
            .Output("y", "m:0");
        var y = Run(g, ("x", [1, 2, 3], [3]))["y"];
        float[] u = [(float)((0 * 0.1) - 1), (float)((10 * 0.1) - 1), (float)((20 * 0.1) - 1)];
        AssertClose([(1 + 0.5f) * u[0], (2 - 1.25f) * u[1], (3 + 3f) * u[2]], y.Data);
    }

    [Fact]
    public void TruncatedShard_ReportsFileAndWeight()
    {
        var g = new TfjsGraphBuilder().Placeholder("x", "DT_FLOAT", 1).Const("w", [1f, 2f], 2).Node("a", "AddV2", ["x", "w"]).Output("y", "a:0");
        string path = g.Save();
        string shard = Path.Combine(Path.GetDirectoryName(path)!, "group1-shard1of1.bin");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..6]);
        var e = Assert.Throws<InvalidDataException>(() => TfjsModel.Load(path));
        Assert.Contains("model.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
    }
}
