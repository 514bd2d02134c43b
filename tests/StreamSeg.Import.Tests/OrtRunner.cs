using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace StreamSeg.Import.Tests;

/// <summary>Runs a converted model on ONNX Runtime's CPU provider and returns every output as floats.</summary>
internal static class OrtRunner
{
    public static Dictionary<string, (float[] Data, int[] Shape)> Run(Onnx.ModelProto model, IReadOnlyList<NamedOnnxValue> inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(inputs);
        var outputs = new Dictionary<string, (float[], int[])>(StringComparer.Ordinal);
        foreach (DisposableNamedOnnxValue r in results)
        {
            switch (r.Value)
            {
                case Tensor<float> f:
                    outputs[r.Name] = (f.ToArray(), f.Dimensions.ToArray());
                    break;
                case Tensor<int> i:
                    outputs[r.Name] = (i.ToArray().Select(x => (float)x).ToArray(), i.Dimensions.ToArray());
                    break;
                case Tensor<long> l:
                    outputs[r.Name] = (l.ToArray().Select(x => (float)x).ToArray(), l.Dimensions.ToArray());
                    break;
                default:
                    throw new InvalidOperationException($"Output {r.Name} has an unexpected type.");
            }
        }

        return outputs;
    }

    /// <summary>Reads an RGB PNG as HWC bytes.</summary>
    public static (byte[] Rgb, int Height, int Width) ReadRgb(string path)
    {
        using Mat bgr = Cv2.ImRead(path, ImreadModes.Color);
        using var rgb = new Mat();
        Cv2.CvtColor(bgr, rgb, ColorConversionCodes.BGR2RGB);
        var bytes = new byte[rgb.Rows * rgb.Cols * 3];
        System.Runtime.InteropServices.Marshal.Copy(rgb.Data, bytes, 0, bytes.Length);
        return (bytes, rgb.Rows, rgb.Cols);
    }
}
