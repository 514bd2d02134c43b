namespace StreamSeg.Memory;

/// <summary>Managed arrays, each pinned for its whole life by the <see cref="Microsoft.ML.OnnxRuntime.OrtValue"/> over it: the CPU path.</summary>
internal sealed class ManagedTensorMemory : TensorMemory
{
    /// <inheritdoc/>
    public override string Name => "managed";

    /// <inheritdoc/>
    public override bool IsPinned => false;

    /// <inheritdoc/>
    internal override TensorBuffer Create(long[] shape, TensorElement element) => TensorBuffer.Managed(shape, element);
}
