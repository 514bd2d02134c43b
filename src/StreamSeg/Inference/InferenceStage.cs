using StreamSeg.Frames;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// Runs every model on the frame's prepared inputs and attaches their raw outputs (<see cref="ModelOutputs"/>).
/// </summary>
/// <remarks>
/// The input tensors go back to their pool as soon as the models have run. Recurrent models (RVM) continue the state
/// of the frame's source (<see cref="Frames.FrameMetadata.SourceIndex"/>) and start it again after a
/// <see cref="Frames.FrameMetadata.Discontinuity"/>. Models run one after another on the
/// shared sessions, so several sources in one run share one session per model. The models are owned by the caller
/// (the composition root), not by the stage.
/// </remarks>
public sealed class InferenceStage : IStage<Frame, Frame>
{
    private readonly IReadOnlyList<OnnxModel> _models;

    /// <summary>Creates the stage for <paramref name="models"/> (in the same order as the preprocess stage's inputs).</summary>
    public InferenceStage(IReadOnlyList<OnnxModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models;
    }

    /// <inheritdoc/>
    public string Name => "inference";

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Meta.IsPlaceholder)
        {
            return ValueTask.FromResult(input);
        }

        if (input.Payload is not ModelInputs inputs)
        {
            throw new InvalidOperationException("The frame has no prepared model inputs; the preprocess stage must run first.");
        }
        var outputs = new ModelOutput[_models.Count];
        try
        {
            for (int i = 0; i < _models.Count; i++)
            {
                outputs[i] = _models[i].Run(inputs.Tensors[i], input.Meta.SourceIndex, input.Meta.Discontinuity);
            }
        }
        catch
        {
            foreach (ModelOutput? o in outputs)
            {
                o?.Dispose();
            }

            throw;
        }
        finally
        {
            // The tensors are no longer needed whatever happened: return them now rather than with the frame.
            input.Payload = null;
            inputs.Dispose();
        }

        input.RawOutputs = new ModelOutputs(outputs);
        return ValueTask.FromResult(input);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
