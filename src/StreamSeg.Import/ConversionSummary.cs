namespace StreamSeg.Import;

/// <summary>What a conversion produced: the op types met, the ONNX inputs and outputs, and what was resolved.</summary>
public sealed class ConversionSummary
{
    /// <summary>TF op types met in the live graph, with their counts.</summary>
    public IReadOnlyDictionary<string, int> TfOps { get; init; } = new Dictionary<string, int>();

    /// <summary>ONNX op types emitted, with their counts.</summary>
    public IReadOnlyDictionary<string, int> OnnxOps { get; init; } = new Dictionary<string, int>();

    /// <summary>The graph inputs: name, element type and shape (<c>-1</c> dynamic, <c>null</c> unknown rank).</summary>
    public IReadOnlyList<TfjsSignatureEntry> Inputs { get; init; } = [];

    /// <summary>The graph outputs: ONNX name (<see cref="TfjsSignatureEntry.Key"/>) and the TF tensor it came from.</summary>
    public IReadOnlyList<TfjsSignatureEntry> Outputs { get; init; } = [];

    /// <summary>Notes about decisions the converter took (resolved switches and similar).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        foreach (TfjsSignatureEntry e in Inputs)
        {
            sb.Append("input  ").Append(e.Key).Append(' ').Append(e.DataType).Append(' ').AppendLine(FormatShape(e.Shape));
        }

        foreach (TfjsSignatureEntry e in Outputs)
        {
            sb.Append("output ").Append(e.Key).Append(" (").Append(e.TensorName).Append(") ").Append(e.DataType).Append(' ').AppendLine(FormatShape(e.Shape));
        }

        sb.Append("tf ops: ").AppendLine(string.Join(", ", TfOps.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}x{k.Value}")));
        sb.Append("onnx ops: ").AppendLine(string.Join(", ", OnnxOps.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}x{k.Value}")));
        foreach (string n in Notes)
        {
            sb.Append("note: ").AppendLine(n);
        }

        return sb.ToString();
    }

    private static string FormatShape(long[]? shape) => shape is null ? "[?]" : "[" + string.Join(",", shape) + "]";
}
