namespace StreamSeg.Memory;

/// <summary>The element type of a <see cref="PooledTensor"/>.</summary>
public enum TensorElement
{
    /// <summary>32-bit float.</summary>
    Float32,

    /// <summary>32-bit int.</summary>
    Int32,

    /// <summary>8-bit unsigned: raw pixels that the model's own graph converts.</summary>
    UInt8,
}
