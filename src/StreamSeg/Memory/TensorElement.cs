using System.Diagnostics.CodeAnalysis;

namespace StreamSeg.Memory;

/// <summary>The element type of a <see cref="PooledTensor"/>.</summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The members name element types on purpose, as ONNX and numpy spell them.")]
public enum TensorElement
{
    /// <summary>32-bit float.</summary>
    Float32,

    /// <summary>32-bit int.</summary>
    Int32,

    /// <summary>8-bit unsigned: raw pixels that the model's own graph converts.</summary>
    UInt8,
}
