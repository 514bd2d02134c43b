using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace StreamSeg.Import.Tests;

/// <summary>
/// Converts each real TF.js model and compares ONNX Runtime's raw outputs on the oracle inputs with what TF.js 4.22.0
/// computed (max abs error ≤ 1e-3, as the oracle README says).
/// </summary>
public sealed class OracleTests
{
    private const double Tolerance = 1e-3;
    private readonly ITestOutputHelper _output;

    public OracleTests(ITestOutputHelper output) => _output = output;

    [OracleFact("movenet-multipose")]
    public void MoveNetMultiPose_MatchesTfjs()
    {
        (Onnx.ModelProto model, ConversionSummary summary) = Convert("movenet-multipose");
        Assert.Equal("input", summary.Inputs.Single().Key);
        Assert.Equal(TfDataType.Int32, summary.Inputs.Single().DataType);
        Assert.Equal([1L, -1, -1, 3], summary.Inputs.Single().Shape!);
        foreach (string stem in new[] { "messi5.pad256", "vtest_f000.long256", "vtest_f100.long512" })
        {
            (byte[] rgb, int h, int w) = OrtRunner.ReadRgb(Path.Combine(OracleReference.DataDirectory("movenet-multipose"), stem + ".input.png"));
            var input = new DenseTensor<int>(rgb.Select(b => (int)b).ToArray(), [1, h, w, 3]);
            var outputs = OrtRunner.Run(model, [NamedOnnxValue.CreateFromTensor("input", input)]);
            Compare("movenet-multipose", stem, summary, outputs);
        }
    }

    [OracleFact("movenet-lightning")]
    public void MoveNetLightning_MatchesTfjs()
    {
        (Onnx.ModelProto model, ConversionSummary summary) = Convert("movenet-lightning");
        foreach (string stem in new[] { "messi5", "vtest_f000" })
        {
            (byte[] rgb, int h, int w) = OrtRunner.ReadRgb(Path.Combine(OracleReference.DataDirectory("movenet-lightning"), stem + ".input.png"));
            var input = new DenseTensor<int>(rgb.Select(b => (int)b).ToArray(), [1, h, w, 3]);
            var outputs = OrtRunner.Run(model, [NamedOnnxValue.CreateFromTensor("input", input)]);
            Compare("movenet-lightning", stem, summary, outputs);
        }
    }

    [OracleFact("selfie")]
    public void Selfie_MatchesTfjs() => RunImageModel("selfie", "input_1", scale: 1 / 255f, nchw: false);

    [OracleFact("centernet")]
    public void CenterNet_MatchesTfjs() => RunImageModel("centernet", "tower_0/images", scale: 1f, nchw: false);

    [OracleFact("nanodet")]
    public void NanoDet_MatchesTfjs() => RunImageModel("nanodet", "input_1", scale: 1 / 255f, nchw: true);

    [OracleFact("rvm")]
    public void Rvm_SingleFrame_MatchesTfjs()
    {
        (Onnx.ModelProto model, ConversionSummary summary) = Convert("rvm");
        var outputs = RunRvm(model, "single.messi5", null);
        Compare("rvm", "single.messi5", summary, outputs);
    }

    [OracleFact("rvm")]
    public void Rvm_RecurrentSequence_MatchesTfjs()
    {
        (Onnx.ModelProto model, ConversionSummary summary) = Convert("rvm");
        Dictionary<string, (float[] Data, int[] Shape)>? state = null;
        foreach (string stem in new[] { "seq.vtest_f000", "seq.vtest_f001" })
        {
            state = RunRvm(model, stem, state);
            Compare("rvm", stem, summary, state);
        }
    }

    private static Dictionary<string, (float[] Data, int[] Shape)> RunRvm(Onnx.ModelProto model, string stem, Dictionary<string, (float[] Data, int[] Shape)>? previous)
    {
        (byte[] rgb, int h, int w) = OrtRunner.ReadRgb(Path.Combine(OracleReference.DataDirectory("rvm"), stem + ".input.png"));
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("src", new DenseTensor<float>(rgb.Select(b => b / 255f).ToArray(), [1, h, w, 3])),
            NamedOnnxValue.CreateFromTensor("downsample_ratio", new DenseTensor<float>(new[] { 0.5f }, [])),
        };
        foreach (string r in new[] { "r1", "r2", "r3", "r4" })
        {
            DenseTensor<float> state = previous is null
                ? new DenseTensor<float>(new[] { 0f }, [])
                : new DenseTensor<float>(previous[r + "o"].Data, previous[r + "o"].Shape);
            inputs.Add(NamedOnnxValue.CreateFromTensor(r + "i", state));
        }

        return OrtRunner.Run(model, inputs);
    }

    private void RunImageModel(string modelName, string inputName, float scale, bool nchw)
    {
        (Onnx.ModelProto model, ConversionSummary summary) = Convert(modelName);
        foreach (string stem in new[] { "messi5", "vtest_f000" })
        {
            (byte[] rgb, int h, int w) = OrtRunner.ReadRgb(Path.Combine(OracleReference.DataDirectory(modelName), stem + ".input.png"));
            float[] data = new float[rgb.Length];
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        float v = rgb[(((y * w) + x) * 3) + c] * scale;
                        data[nchw ? (((c * h) + y) * w) + x : (((y * w) + x) * 3) + c] = v;
                    }
                }
            }

            int[] shape = nchw ? [1, 3, h, w] : [1, h, w, 3];
            var outputs = OrtRunner.Run(model, [NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, shape))]);
            Compare(modelName, stem, summary, outputs);
            string raw = Path.Combine(OracleReference.DataDirectory(modelName), stem + ".output.f32");
            if (File.Exists(raw))
            {
                // Selfie: the whole output is stored, not just samples.
                byte[] bytes = File.ReadAllBytes(raw);
                float[] expected = new float[bytes.Length / 4];
                Buffer.BlockCopy(bytes, 0, expected, 0, bytes.Length);
                float[] actual = outputs[summary.Outputs.Single().Key].Data;
                Assert.Equal(expected.Length, actual.Length);
                double maxErr = expected.Select((e, i) => (double)Math.Abs(e - actual[i])).Max();
                _output.WriteLine($"{modelName}/{stem}: whole output max abs err {maxErr:G4} over {expected.Length} values");
                Assert.True(maxErr <= Tolerance, $"{modelName}/{stem}: whole-output max abs error {maxErr}.");
            }
        }
    }

    private (Onnx.ModelProto Model, ConversionSummary Summary) Convert(string model)
    {
        var converter = new TfjsToOnnxConverter();
        Onnx.ModelProto proto = converter.Convert(ModelPackage.ModelJson(model));
        _output.WriteLine(converter.LastSummary!.ToString());
        return (proto, converter.LastSummary!);
    }

    private void Compare(string model, string stem, ConversionSummary summary, Dictionary<string, (float[] Data, int[] Shape)> outputs)
    {
        OracleReference reference = OracleReference.Load(model, stem);
        Assert.NotEmpty(reference.Outputs);
        foreach ((string name, (long[]? index, double[] values)) in reference.Outputs)
        {
            string onnxName = summary.Outputs.FirstOrDefault(o => o.Key == name || TensorRef.NodeName(o.TensorName) == name)?.Key
                ?? throw new InvalidOperationException($"{model}: no ONNX output for oracle output '{name}'.");
            float[] actual = outputs[onnxName].Data;
            double maxErr = 0;
            long worst = -1;
            for (int i = 0; i < values.Length; i++)
            {
                long flat = index is null ? i : index[i];
                Assert.True(flat < actual.Length, $"{model}/{stem}/{name}: index {flat} outside output of {actual.Length} elements.");
                double err = Math.Abs(actual[flat] - values[i]);
                if (err > maxErr || double.IsNaN(err))
                {
                    maxErr = double.IsNaN(err) ? double.PositiveInfinity : err;
                    worst = flat;
                }
            }

            _output.WriteLine($"{model}/{stem}/{name} [{string.Join(",", outputs[onnxName].Shape)}]: max abs err {maxErr:G4} over {values.Length} values (worst at {worst})");
            Assert.True(maxErr <= Tolerance, $"{model}/{stem}/{name}: max abs error {maxErr} > {Tolerance} at flat index {worst}.");
        }
    }
}
