using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Pipeline;

namespace StreamSeg.Preprocess;

/// <summary>
/// Prepares each model's input tensor from a frame (letterbox/resize, colour order, scale, layout) into pooled
/// tensors and attaches them to the frame as <see cref="ModelInputs"/>.
/// </summary>
/// <remarks>
/// One tensor per model, rented from a pool per shape (models fed at the frame's own size get one pool per frame
/// size), so steady state allocates no tensor memory. Each model's tensors come from the memory given for it
/// (<see cref="TensorMemory"/>: managed arrays by default, CUDA pinned host memory for a model on a GPU provider). The
/// stage holds no frames; when the pipeline is full upstream edges wait or drop by their own policy. Its inputs cannot
/// change while running.
/// </remarks>
public sealed class PreprocessStage : IStage<Frame, Frame>
{
    private readonly IReadOnlyList<InputSpec> _specs;
    private readonly TensorPools[] _pools;
    private readonly TensorWriter _writer = new();

    /// <summary>Creates the stage for models with the given inputs (in model order), their tensors in managed memory.</summary>
    public PreprocessStage(IReadOnlyList<InputSpec> specs)
        : this(specs, null)
    {
    }

    /// <summary>
    /// Creates the stage for models with the given inputs (in model order), the tensors of model i rented from pools in
    /// <paramref name="memories"/>[i] (null: managed memory for all).
    /// </summary>
    public PreprocessStage(IReadOnlyList<InputSpec> specs, IReadOnlyList<TensorMemory>? memories)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count == 0)
        {
            throw new ArgumentException("At least one model input is needed.", nameof(specs));
        }

        if (memories is not null && memories.Count != specs.Count)
        {
            throw new ArgumentException($"{specs.Count} model inputs need as many memories; got {memories.Count}.", nameof(memories));
        }

        _specs = specs;

        // One set of pools per distinct memory, shared by the models that use it (the same shape then shares a pool).
        _pools = new TensorPools[specs.Count];
        for (int i = 0; i < _pools.Length; i++)
        {
            TensorMemory memory = memories?[i] ?? TensorMemory.Managed;
            _pools[i] = Array.Find(_pools, p => p is not null && p.Memory == memory) ?? new TensorPools(memory);
        }
    }

    /// <summary>Gets the pools of model <paramref name="index"/>'s tensors (tests: what they allocated).</summary>
    internal TensorPools PoolsOf(int index) => _pools[index];

    /// <inheritdoc/>
    public string Name => "preprocess";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Meta.IsPlaceholder)
        {
            // An "offline" card: nothing for the models to see.
            return ValueTask.FromResult(input);
        }

        var tensors = new PooledTensor[_specs.Count];
        for (int i = 0; i < _specs.Count; i++)
        {
            InputSpec spec = _specs[i];
            long[] shape = TensorWriter.ShapeFor(spec, input.Width, input.Height);
            tensors[i] = _pools[i].Rent(shape, TensorWriter.ElementFor(spec));
        }

        _writer.WriteAll(input.Image, _specs, tensors);

        input.Payload?.Dispose();
        input.Payload = new ModelInputs(tensors);
        return ValueTask.FromResult(input);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        foreach (TensorPools pools in _pools.Distinct())
        {
            pools.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
