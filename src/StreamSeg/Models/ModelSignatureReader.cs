using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Models;

/// <summary>Reads a <see cref="ModelSignature"/> from an ONNX Runtime session.</summary>
public static class ModelSignatureReader
{
    /// <summary>Reads inputs, outputs (graph order) and custom metadata.</summary>
    public static ModelSignature Read(InferenceSession session, string path)
    {
        ArgumentNullException.ThrowIfNull(session);
        var inputs = new List<TensorSignature>();
        foreach (string name in session.InputNames)
        {
            NodeMetadata m = session.InputMetadata[name];
            inputs.Add(new TensorSignature(name, m.ElementDataType.ToString(), Array.ConvertAll(m.Dimensions, d => (long)d)));
        }

        var outputs = new List<TensorSignature>();
        foreach (string name in session.OutputNames)
        {
            NodeMetadata m = session.OutputMetadata[name];
            outputs.Add(new TensorSignature(name, m.ElementDataType.ToString(), Array.ConvertAll(m.Dimensions, d => (long)d)));
        }

        return new ModelSignature(path, inputs, outputs, new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap));
    }
}
