using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

/// <summary>
/// Checks the R-CNN adapters against real torchvision exports (tiny backbone, seeded random weights) made by
/// scripts/make_torchvision_fixtures.py, whose expectations come from PyTorch's own outputs. ONNX Runtime's floats
/// differ slightly from PyTorch's, so boxes, scores and masks are compared with tolerances, and instances are paired by
/// box rather than by position (near-equal scores may swap order).
/// </summary>
public class TorchvisionExportTests
{
    [Theory]
    [InlineData("tv-maskrcnn", "maskrcnn")]
    [InlineData("tv-keypointrcnn", "keypointrcnn")]
    public void Decode_RealTorchvisionExport_MatchesPyTorchOutputs(string fixture, string adapterName)
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Model(fixture + ".expected.json")));
        JsonElement root = expected.RootElement;
        string modelPath = TestPaths.Model(root.GetProperty("model").GetString()!);
        using var session = new InferenceSession(modelPath);
        ModelSignature signature = ModelSignatureReader.Read(session, modelPath);
        IModelAdapter adapter = ModelAdapterFactory.Create(signature, null);
        Assert.Equal(adapterName, adapter.Name);
        Assert.True(adapter.Input.NativeSize);

        JsonElement testCase = root.GetProperty("cases")[0];
        int fw = testCase.GetProperty("frame_width").GetInt32();
        int fh = testCase.GetProperty("frame_height").GetInt32();
        List<RawTensor> outputs = Run(session, Pattern(fw, fh), [3, fh, fw]);
        Instances actual = adapter.Decode(outputs, LetterboxTransform.Identity(fw, fh));

        JsonElement instances = testCase.GetProperty("instances");
        Assert.Equal(instances.GetArrayLength(), actual.Count);
        var used = new bool[actual.Count];
        foreach (JsonElement e in instances.EnumerateArray())
        {
            float[] box = e.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var want = new BoxF(box[0], box[1], box[2], box[3]);
            int match = -1;
            for (int i = 0; i < actual.Count; i++)
            {
                if (!used[i] && BoxF.IoU(want, actual.Boxes[i]) > 0.999f)
                {
                    match = i;
                    break;
                }
            }

            Assert.True(match >= 0, $"{fixture}: no decoded instance has box {want}.");
            used[match] = true;
            Assert.Equal(e.GetProperty("score").GetSingle(), actual.Scores[match], 3);
            Assert.Equal(e.GetProperty("class_id").GetInt32(), actual.ClassIds[match]);
            if (e.TryGetProperty("mask", out JsonElement mask))
            {
                InstanceMask m = actual.Masks![match]!;
                int expectedArea = mask.GetProperty("area").GetInt32();
                int differ = CountDifferences(mask.GetProperty("rle").GetString()!, m);
                Assert.True(differ <= Math.Max(2, expectedArea / 100), $"{fixture}: {differ} mask pixels differ (area {expectedArea}).");
            }

            if (e.TryGetProperty("keypoints", out JsonElement kps))
            {
                int k = 0;
                foreach (JsonElement kp in kps.EnumerateArray())
                {
                    Keypoint a = actual.KeypointsOf(match)[k++];
                    Assert.Equal(kp[0].GetSingle(), a.X, 0.05f);
                    Assert.Equal(kp[1].GetSingle(), a.Y, 0.05f);
                    Assert.Equal(kp[2].GetSingle(), a.Score, 0.001f);
                }
            }
        }
    }

    /// <summary>The input pattern of make_torchvision_fixtures.py (coarse blocks plus an integer hash).</summary>
    private static float[] Pattern(int w, int h)
    {
        var data = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    long hash = (x * 73856093L) ^ (y * 19349663L) ^ (c * 83492791L);
                    int block = ((x / 20) + (y / 15) + c) % 4;
                    data[(((c * h) + y) * w) + x] = (float)((0.5 * (block / 3.0)) + (0.5 * (hash % 256) / 255.0));
                }
            }
        }

        return data;
    }

    private static List<RawTensor> Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(options, [session.InputNames[0]], [value], session.OutputNames);
        var outputs = new List<RawTensor>();
        for (int i = 0; i < results.Count; i++)
        {
            OrtTensorTypeAndShapeInfo info = results[i].GetTensorTypeAndShape();
            float[] data = info.ElementDataType == TensorElementType.Int64
                ? results[i].GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v).ToArray()
                : results[i].GetTensorDataAsSpan<float>().ToArray();
            outputs.Add(new RawTensor(session.OutputNames[i], info.Shape, data));
        }

        return outputs;
    }

    private static int CountDifferences(string rle, InstanceMask mask)
    {
        int pos = 0;
        int differ = 0;
        byte value = 0;
        foreach (string part in rle.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int run = int.Parse(part, CultureInfo.InvariantCulture);
            for (int i = 0; i < run && pos < mask.Data.Length; i++, pos++)
            {
                differ += mask.Data[pos] != value ? 1 : 0;
            }

            value ^= 1;
        }

        return differ + Math.Abs(mask.Data.Length - pos);
    }
}
