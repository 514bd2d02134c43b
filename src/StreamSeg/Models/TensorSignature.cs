namespace StreamSeg.Models;

/// <summary>The name, element type and shape of one model input or output; -1 marks a dynamic axis.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="ElementType">The element type as ONNX Runtime names it (for example <c>Float</c>, <c>Int64</c>).</param>
/// <param name="Shape">The dimensions; -1 for dynamic ones.</param>
public sealed record TensorSignature(string Name, string ElementType, long[] Shape)
{
    /// <summary>Gets the shape as text, for example <c>[1,3,640,640]</c> or <c>[-1,4]</c>.</summary>
    public string ShapeText => "[" + string.Join(',', Shape) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {ElementType}{ShapeText}";
}
