using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Pipeline;

namespace StreamSeg.Decode;

/// <summary>
/// Turns each model's raw outputs into <see cref="Instances"/> in frame coordinates with the model's adapter, and
/// merges a pose model's instances into a segmentation model's (see <see cref="InstanceMerger"/>). A matte model's
/// result (<see cref="IMatteAdapter"/>) goes to <see cref="Frame.Matte"/>; with a <see cref="MatteSplitter"/>, it is
/// also cut into per-person masks of the other models' person instances. With a <see cref="PoseScaleMerger"/>, a pose
/// model's instances that follow another pose model's (the people preset's MoveNet at its second input size) are merged
/// with them as scales of one model (one person kept per person found at either size) instead of being attached.
/// </summary>
/// <remarks>
/// The raw output buffers go back to their pools once decoded. With one model, its instances are the result. The
/// person masks cut from a matte are pooled and owned by the frame (<see cref="Frame.Own"/>): they go back to the
/// splitter's pool when the frame is released, and are not to be read after that.
/// </remarks>
public sealed class DecodeStage : IStage<Frame, Frame>
{
    private readonly IReadOnlyList<IModelAdapter> _adapters;
    private readonly InstanceMerger _merger;
    private readonly MatteSplitter? _splitter;
    private readonly PoseScaleMerger? _scaleMerger;

    /// <summary>
    /// Creates the stage for models with the given adapters (model order); <paramref name="splitter"/> cuts a matte into
    /// person masks; <paramref name="scaleMerger"/> merges consecutive pose models as scales of one model.
    /// </summary>
    public DecodeStage(IReadOnlyList<IModelAdapter> adapters, InstanceMerger? merger = null, MatteSplitter? splitter = null, PoseScaleMerger? scaleMerger = null)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        _adapters = adapters;
        _merger = merger ?? new InstanceMerger();
        _splitter = splitter;
        _scaleMerger = scaleMerger;
    }

    /// <inheritdoc/>
    public string Name => "decode";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Meta.IsPlaceholder)
        {
            input.Instances = Instances.Empty;
            return ValueTask.FromResult(input);
        }

        if (input.RawOutputs is not ModelOutputs outputs)
        {
            throw new InvalidOperationException("The frame has no model outputs; the inference stage must run first.");
        }
        try
        {
            Instances? result = null;
            ModelTask? lastTask = null;
            for (int i = 0; i < _adapters.Count; i++)
            {
                ModelOutput output = outputs.Outputs[i];
                if (_adapters[i] is IMatteAdapter matteAdapter)
                {
                    input.Matte?.Dispose();
                    input.Matte = matteAdapter.DecodeMatte(output.Tensors, output.Transform);
                    continue;
                }

                Instances instances = _adapters[i].Decode(output.Tensors, output.Transform);
                OwnPooledMasks(input, instances);
                ModelTask task = _adapters[i].Task;
                result = result is null ? instances
                    : _scaleMerger is not null && task == ModelTask.Pose && lastTask == ModelTask.Pose ? _scaleMerger.Merge(result, instances)
                    : MergeInto(result, instances, task);
                lastTask = task;
            }

            result ??= Instances.Empty;
            if (_splitter is not null && input.Matte is not null && result.Count > 0)
            {
                Instances split = _splitter.Split(result, input.Matte);
                OwnNewMasks(input, result, split);
                result = split;
            }

            input.Instances = result;
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

    /// <summary>
    /// Hands the frame every pooled mask an adapter decoded (YOLO-seg's and Mask R-CNN's crops), so that they go back
    /// to their pool when the frame is released, whether or not the merger, splitter or tracker keep their instances.
    /// </summary>
    private static void OwnPooledMasks(Frame frame, Instances instances)
    {
        if (instances.Masks is not { } masks)
        {
            return;
        }

        foreach (InstanceMask? mask in masks)
        {
            if (mask is { IsPooled: true })
            {
                frame.Own(mask);
            }
        }
    }

    /// <summary>
    /// Hands the frame the masks the splitter made (pooled, owned by the caller of <see cref="MatteSplitter.Split"/>):
    /// the frame returns them when it is released, whether or not a later stage keeps their instances.
    /// </summary>
    private static void OwnNewMasks(Frame frame, Instances before, Instances after)
    {
        InstanceMask?[]? masks = after.Masks;
        if (masks is null)
        {
            return;
        }

        for (int i = 0; i < masks.Length; i++)
        {
            // The splitter keeps the order of the instances and passes the other classes' masks through.
            if (masks[i] is InstanceMask mask && !ReferenceEquals(mask, before.Masks?[i]))
            {
                frame.Own(mask);
            }
        }
    }

    private Instances MergeInto(Instances current, Instances next, ModelTask nextTask) =>
        nextTask == ModelTask.Pose ? _merger.Merge(current, next) : _merger.Merge(next, current);
}
