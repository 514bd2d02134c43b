using StreamSeg.Frames;
using StreamSeg.Memory;
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
/// <para>Given several frames at once (<see cref="ProcessBatchAsync"/>), a model that
/// <see cref="OnnxModel.SupportsBatch"/> runs once on all the frames whose inputs have the same shape (cross-stream
/// batching); other models (a fixed batch of 1, recurrent state) run frame by frame, in order.</para>
/// </remarks>
public sealed class InferenceStage : IBatchStage, ISourceStateOwner
{
    private readonly IReadOnlyList<OnnxModel> _models;
    private readonly List<Frame> _real = [];
    private readonly List<PooledTensor> _group = [];
    private readonly List<int> _groupIndex = [];
    private readonly List<int> _groupSources = [];
    private readonly List<bool> _groupDiscontinuities = [];

    /// <summary>Creates the stage for <paramref name="models"/> (in the same order as the preprocess stage's inputs).</summary>
    /// <param name="models">The models, in preprocess order.</param>
    /// <param name="maxBatch">The most frames one call takes; 1 runs every frame on its own.</param>
    public InferenceStage(IReadOnlyList<OnnxModel> models, int maxBatch = 1)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _models = models;
        MaxBatch = maxBatch;
    }

    /// <inheritdoc/>
    public string Name => "inference";

    /// <inheritdoc/>
    public void ForgetSource(int sourceIndex)
    {
        foreach (OnnxModel model in _models)
        {
            model.States?.Remove(sourceIndex);
        }
    }

    /// <inheritdoc/>
    public int MaxBatch { get; }

    /// <inheritdoc/>
    public ValueTask ProcessBatchAsync(IReadOnlyList<Frame> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        _real.Clear();
        foreach (Frame frame in frames)
        {
            if (frame.Meta.IsPlaceholder)
            {
                continue;
            }

            if (frame.Payload is not ModelInputs)
            {
                throw NoInputs();
            }

            _real.Add(frame);
        }

        if (_real.Count == 1)
        {
            Run(_real[0], (ModelInputs)_real[0].Payload!);
            _real.Clear();
            return ValueTask.CompletedTask;
        }

        var outputs = new ModelOutput[_real.Count][];
        for (int f = 0; f < outputs.Length; f++)
        {
            outputs[f] = new ModelOutput[_models.Count];
        }

        try
        {
            for (int m = 0; m < _models.Count; m++)
            {
                RunModel(m, outputs);
            }
        }
        catch
        {
            foreach (ModelOutput[] perFrame in outputs)
            {
                ModelOutput.DisposeAll(perFrame);
            }

            throw;
        }
        finally
        {
            foreach (Frame frame in _real)
            {
                frame.Payload?.Dispose();
                frame.Payload = null;
            }
        }

        for (int f = 0; f < _real.Count; f++)
        {
            _real[f].RawOutputs = new ModelOutputs(outputs[f]);
        }

        _real.Clear();
        return ValueTask.CompletedTask;
    }

    private void RunModel(int m, ModelOutput[][] outputs)
    {
        OnnxModel model = _models[m];
        if (!model.SupportsBatch)
        {
            for (int f = 0; f < _real.Count; f++)
            {
                Frame frame = _real[f];
                outputs[f][m] = model.Run(((ModelInputs)frame.Payload!).Tensors[m], frame.Meta.SourceIndex, frame.Meta.Discontinuity);
            }

            return;
        }

        // One run per group of inputs of the same shape (frames of equal size, or of models with a fixed input size).
        var done = new bool[_real.Count];
        for (int f = 0; f < _real.Count; f++)
        {
            if (done[f])
            {
                continue;
            }

            _group.Clear();
            _groupIndex.Clear();
            _groupSources.Clear();
            _groupDiscontinuities.Clear();
            long[] shape = Tensor(f, m).Shape;
            for (int g = f; g < _real.Count; g++)
            {
                // A recurrent model takes one frame per source per run: a source's next frame goes in a later group,
                // which runs after this one, so each source's frames keep their order.
                FrameMetadata meta = _real[g].Meta;
                if (!done[g] && Tensor(g, m).Shape.AsSpan().SequenceEqual(shape) && (model.States is null || !_groupSources.Contains(meta.SourceIndex)))
                {
                    done[g] = true;
                    _group.Add(Tensor(g, m));
                    _groupIndex.Add(g);
                    _groupSources.Add(meta.SourceIndex);
                    _groupDiscontinuities.Add(meta.Discontinuity);
                }
            }

            ModelOutput[] results = model.RunBatch(_group, _groupSources, _groupDiscontinuities);
            for (int i = 0; i < results.Length; i++)
            {
                outputs[_groupIndex[i]][m] = results[i];
            }
        }
    }

    private PooledTensor Tensor(int frame, int model) => ((ModelInputs)_real[frame].Payload!).Tensors[model];

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
            throw NoInputs();
        }

        Run(input, inputs);
        return ValueTask.FromResult(input);
    }

    /// <summary>Runs every model on <paramref name="inputs"/> (the frame's payload) and attaches the outputs to <paramref name="input"/>.</summary>
    private void Run(Frame input, ModelInputs inputs)
    {
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
            ModelOutput.DisposeAll(outputs);
            throw;
        }
        finally
        {
            // The tensors are no longer needed whatever happened: return them now rather than with the frame.
            input.Payload = null;
            inputs.Dispose();
        }

        input.RawOutputs = new ModelOutputs(outputs);
    }

    private static InvalidOperationException NoInputs() => new("The frame has no prepared model inputs; the preprocess stage must run first.");

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
