using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Models;

/// <summary>Reads a <see cref="ModelSignature"/> (inputs and outputs in graph order, custom metadata) from an ONNX Runtime session.</summary>
public static class ModelSignatureReader
{
    /// <summary>Reads the signature of <paramref name="session"/>; <paramref name="path"/> is kept for messages.</summary>
    public static ModelSignature Read(InferenceSession session, string path)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(path);
        var inputs = new List<TensorSignature>(session.InputNames.Count);
        foreach (string name in session.InputNames)
        {
            inputs.Add(ToSignature(name, session.InputMetadata[name]));
        }

        var outputs = new List<TensorSignature>(session.OutputNames.Count);
        foreach (string name in session.OutputNames)
        {
            outputs.Add(ToSignature(name, session.OutputMetadata[name]));
        }

        var metadata = new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
        return new ModelSignature(path, inputs, outputs, metadata);
    }

    private static TensorSignature ToSignature(string name, NodeMetadata meta)
    {
        string type = meta.IsTensor ? meta.ElementDataType.ToString() : meta.OnnxValueType.ToString();
        int[] dims = meta.IsTensor ? meta.Dimensions : [];
        var shape = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            shape[i] = dims[i] < 0 ? -1 : dims[i];
        }

        return new TensorSignature(name, type, shape);
    }
}
