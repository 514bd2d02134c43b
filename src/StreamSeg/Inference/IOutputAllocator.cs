namespace StreamSeg.Inference;

/// <summary>
/// Where a single-frame run's outputs go, chosen once when the model is loaded (<see cref="OnnxModel"/>):
/// <see cref="StaticOutputAllocator"/> (every output shape known: ONNX Runtime writes into pooled preallocated sets),
/// <see cref="LearnedOutputAllocator"/> (shapes follow the input: learned from the first run at each input shape, then
/// preallocated) or <see cref="OrtOutputAllocator"/> (dynamic shapes: ONNX Runtime allocates, the outputs are copied
/// into rented arrays).
/// </summary>
/// <remarks>
/// <see cref="Run"/> is called by one worker at a time; the outputs it returns may be disposed on any thread.
/// </remarks>
internal interface IOutputAllocator : IDisposable
{
    /// <summary>
    /// Binds the outputs of <paramref name="session"/> (whose inputs are bound), runs it, shows the outputs to
    /// <paramref name="observer"/> and returns them for <paramref name="input"/>'s frame. The caller owns the result.
    /// </summary>
    ModelOutput Run(ModelSession session, Memory.PooledTensor input, IOutputObserver? observer);
}
