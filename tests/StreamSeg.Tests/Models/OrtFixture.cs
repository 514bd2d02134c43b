using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

/// <summary>Loads fixture models with ONNX Runtime (CPU) and runs them on zero inputs.</summary>
internal static class OrtFixture
{
    public static InferenceSession Open(string fileName) => new(TestPaths.Model(fileName));

    public static ModelSignature Signature(string fileName)
    {
        using InferenceSession session = Open(fileName);
        return ModelSignatureReader.Read(session, TestPaths.Model(fileName));
    }

    /// <summary>Runs the session on an all-zero input of <paramref name="shape"/> and copies every output to a <see cref="RawTensor"/>.</summary>
    public static List<RawTensor> RunZeros(InferenceSession session, long[] shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        using var input = OrtValue.CreateTensorValueFromMemory(new float[count], shape);
        using var options = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results =
            session.Run(options, [session.InputNames[0]], [input], session.OutputNames);
        var outputs = new List<RawTensor>(results.Count);
        for (int i = 0; i < results.Count; i++)
        {
            outputs.Add(ToRaw(session.OutputNames[i], results[i]));
        }

        return outputs;
    }

    private static RawTensor ToRaw(string name, OrtValue value)
    {
        OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
        long[] shape = info.Shape;
        float[] data;
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                data = value.GetTensorDataAsSpan<float>().ToArray();
                break;
            case TensorElementType.Int64:
                ReadOnlySpan<long> longs = value.GetTensorDataAsSpan<long>();
                data = new float[longs.Length];
                for (int i = 0; i < longs.Length; i++)
                {
                    data[i] = longs[i];
                }

                break;
            default:
                throw new NotSupportedException($"Output '{name}' has element type {info.ElementDataType}.");
        }

        return new RawTensor(name, shape, data);
    }
}
