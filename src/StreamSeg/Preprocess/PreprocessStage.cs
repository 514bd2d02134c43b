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
/// size), so steady state allocates no tensor memory. The stage holds no frames; when the pipeline is full upstream
/// edges wait or drop by their own policy. Its inputs cannot change while running.
/// </remarks>
public sealed class PreprocessStage : IStage<Frame, Frame>
{
    private readonly IReadOnlyList<InputSpec> _specs;
    private readonly TensorPools _pools = new();
    private readonly TensorWriter _writer = new();

    /// <summary>Creates the stage for models with the given inputs (in model order).</summary>
    public PreprocessStage(IReadOnlyList<InputSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count == 0)
        {
            throw new ArgumentException("At least one model input is needed.", nameof(specs));
        }

        _specs = specs;
    }

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
            tensors[i] = _pools.Rent(shape, TensorWriter.ElementFor(spec));
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
        _pools.Dispose();

        return ValueTask.CompletedTask;
    }
}
