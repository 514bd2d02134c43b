using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Pipeline;

namespace StreamSeg.Decode;

/// <summary>
/// Turns each model's raw outputs into <see cref="Instances"/> in frame coordinates with the model's adapter, and
/// merges a pose model's instances into a segmentation model's (see <see cref="InstanceMerger"/>).
/// </summary>
/// <remarks>The raw output buffers go back to their pools once decoded. With one model, its instances are the result.</remarks>
public sealed class DecodeStage : IStage<Frame, Frame>
{
    private readonly IReadOnlyList<IModelAdapter> _adapters;
    private readonly InstanceMerger _merger;

    /// <summary>Creates the stage for models with the given adapters (model order).</summary>
    public DecodeStage(IReadOnlyList<IModelAdapter> adapters, InstanceMerger? merger = null)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        _adapters = adapters;
        _merger = merger ?? new InstanceMerger();
    }

    /// <inheritdoc/>
    public string Name => "decode";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.RawOutputs is not ModelOutputs outputs)
        {
            throw new InvalidOperationException("The frame has no model outputs; the inference stage must run first.");
        }
        try
        {
            Instances? result = null;
            for (int i = 0; i < _adapters.Count; i++)
            {
                ModelOutput output = outputs.Outputs[i];
                Instances instances = _adapters[i].Decode(output.Tensors, output.Transform);
                result = result is null ? instances : MergeInto(result, instances, _adapters[i].Task);
            }

            input.Instances = result ?? Instances.Empty;
        }
        finally
        {
            input.RawOutputs = null;
            outputs.Dispose();
        }
        return ValueTask.FromResult(input);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Instances MergeInto(Instances current, Instances next, ModelTask nextTask) =>
        nextTask == ModelTask.Pose ? _merger.Merge(current, next) : _merger.Merge(next, current);
}
