namespace StreamSeg.Models;

/// <summary>What an ONNX model declares: inputs, outputs (in graph order) and custom metadata.</summary>
/// <param name="Path">The file the model came from (for messages).</param>
/// <param name="Inputs">The inputs in graph order.</param>
/// <param name="Outputs">The outputs in graph order.</param>
/// <param name="Metadata">Custom metadata (Ultralytics writes <c>names</c>, <c>task</c>, <c>imgsz</c>, <c>kpt_shape</c>, …).</param>
public sealed record ModelSignature(
    string Path,
    IReadOnlyList<TensorSignature> Inputs,
    IReadOnlyList<TensorSignature> Outputs,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Describes the tensors found, for error messages.</summary>
    public string Describe() =>
        "inputs " + string.Join(", ", Inputs) + "; outputs " + string.Join(", ", Outputs);
}
