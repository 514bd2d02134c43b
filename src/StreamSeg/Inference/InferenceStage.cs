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
/// <see cref="Frames.FrameMetadata.Discontinuity"/>. Several sources in one run share one session per model. The
/// models are owned by the caller (the composition root), not by the stage.
/// <para>The models of a frame do not depend on each other, so they run side by side (<see cref="ModelLanes"/>): each
/// distinct model on a lane of its own, joined before the frame moves on; entries that share one model instance run on
/// the same lane, one after the other. Frames still go through one at a time, so each model (and each source's
/// recurrent state) sees them in order. A concurrency of 1 runs the models one after another on the stage's thread.</para>
/// <para>Given several frames at once (<see cref="ProcessBatchAsync"/>), a model that
/// <see cref="OnnxModel.SupportsBatch"/> runs once on all the frames whose inputs have the same shape (cross-stream
/// batching); other models (a fixed batch of 1, recurrent state) run frame by frame, in order. The models still run
/// side by side.</para>
/// <para>A model that fails is named, with the frame and its source, in a <see cref="ModelRunException"/>; the
/// outputs the other models made for that frame are released.</para>
/// </remarks>
public sealed class InferenceStage : IBatchStage, ISourceStateOwner
{
    private readonly IReadOnlyList<OnnxModel> _models;
    private readonly string[] _names;
    private readonly ModelLanes _lanes;
    private readonly Action<int> _runFrameEntry;
    private readonly Action<int> _runBatchEntry;
    private readonly List<Frame> _real = [];

    // Per entry, so that lanes never share scratch.
    private readonly List<PooledTensor>[] _group;
    private readonly List<int>[] _groupIndex;
    private readonly bool[][] _grouped;
    private readonly List<int>[] _groupSources;
    private readonly List<bool>[] _groupDiscontinuities;

    // The call in progress, read by the lanes.
    private Frame? _frame;
    private ModelInputs? _inputs;
    private ModelOutput[]? _frameOutputs;
    private ModelOutput[][]? _batchOutputs;

    /// <summary>Creates the stage for <paramref name="models"/> (in the same order as the preprocess stage's inputs).</summary>
    /// <param name="models">The models, in preprocess order; one instance may appear more than once (several input sizes).</param>
    /// <param name="maxBatch">The most frames one call takes; 1 runs every frame on its own.</param>
    /// <param name="concurrency">The most models run at once: 1 runs them one after another; 0 (default) runs every distinct model on its own lane.</param>
    public InferenceStage(IReadOnlyList<OnnxModel> models, int maxBatch = 1, int concurrency = 0)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _models = models;
        MaxBatch = maxBatch;
        _names = new string[models.Count];
        _group = new List<PooledTensor>[models.Count];
        _groupIndex = new List<int>[models.Count];
        _grouped = new bool[models.Count][];
        _groupSources = new List<int>[models.Count];
        _groupDiscontinuities = new List<bool>[models.Count];
        for (int m = 0; m < models.Count; m++)
        {
            _names[m] = Path.GetFileName(models[m].Path);
            _group[m] = [];
            _groupIndex[m] = [];
            _grouped[m] = new bool[maxBatch];
            _groupSources[m] = [];
            _groupDiscontinuities[m] = [];
        }

        _lanes = new ModelLanes(models, concurrency);
        _runFrameEntry = RunFrameEntry;
        _runBatchEntry = RunBatchEntry;
    }

    /// <inheritdoc/>
    public string Name => "inference";

    /// <summary>Gets how many models run at once (1: one after another).</summary>
    public int Concurrency => _lanes.Count;

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
            _batchOutputs = outputs;
            _lanes.Run(_runBatchEntry);
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
            _batchOutputs = null;
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

    /// <summary>Runs entry <paramref name="m"/> on every frame of the batch in progress (on its lane).</summary>
    private void RunBatchEntry(int m)
    {
        ModelOutput[][] outputs = _batchOutputs!;
        OnnxModel model = _models[m];
        if (!model.SupportsBatch)
        {
            for (int f = 0; f < _real.Count; f++)
            {
                Frame frame = _real[f];
                try
                {
                    outputs[f][m] = model.Run(Tensor(f, m), frame.Meta.SourceIndex, frame.Meta.Discontinuity);
                }
                catch (Exception ex)
                {
                    throw Failed(m, frame, ex);
                }
            }

            return;
        }

        // One run per group of inputs of the same shape (frames of equal size, or of models with a fixed input size).
        List<PooledTensor> group = _group[m];
        List<int> groupIndex = _groupIndex[m];
        List<int> groupSources = _groupSources[m];
        List<bool> groupDiscontinuities = _groupDiscontinuities[m];
        bool[] done = _grouped[m];
        if (done.Length < _real.Count)
        {
            _grouped[m] = done = new bool[_real.Count];
        }

        Array.Clear(done);
        for (int f = 0; f < _real.Count; f++)
        {
            if (done[f])
            {
                continue;
            }

            group.Clear();
            groupIndex.Clear();
            groupSources.Clear();
            groupDiscontinuities.Clear();
            long[] shape = Tensor(f, m).Shape;
            for (int g = f; g < _real.Count; g++)
            {
                // A recurrent model takes one frame per source per run: a source's next frame goes in a later group,
                // which runs after this one, so each source's frames keep their order.
                FrameMetadata meta = _real[g].Meta;
                if (!done[g] && Tensor(g, m).Shape.AsSpan().SequenceEqual(shape) && (model.States is null || !groupSources.Contains(meta.SourceIndex)))
                {
                    done[g] = true;
                    group.Add(Tensor(g, m));
                    groupIndex.Add(g);
                    groupSources.Add(meta.SourceIndex);
                    groupDiscontinuities.Add(meta.Discontinuity);
                }
            }

            ModelOutput[] results;
            try
            {
                results = model.RunBatch(group, groupSources, groupDiscontinuities);
            }
            catch (Exception ex)
            {
                throw Failed(m, _real[f], ex);
            }

            for (int i = 0; i < results.Length; i++)
            {
                outputs[groupIndex[i]][m] = results[i];
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
            (_frame, _inputs, _frameOutputs) = (input, inputs, outputs);
            _lanes.Run(_runFrameEntry);
        }
        catch
        {
            ModelOutput.DisposeAll(outputs);
            throw;
        }
        finally
        {
            (_frame, _inputs, _frameOutputs) = (null, null, null);

            // The tensors are no longer needed whatever happened: return them now rather than with the frame.
            input.Payload = null;
            inputs.Dispose();
        }

        input.RawOutputs = new ModelOutputs(outputs);
    }

    /// <summary>Runs entry <paramref name="m"/> on the frame in progress (on its lane).</summary>
    private void RunFrameEntry(int m)
    {
        Frame frame = _frame!;
        try
        {
            _frameOutputs![m] = _models[m].Run(_inputs!.Tensors[m], frame.Meta.SourceIndex, frame.Meta.Discontinuity);
        }
        catch (Exception ex)
        {
            throw Failed(m, frame, ex);
        }
    }

    private ModelRunException Failed(int m, Frame frame, Exception ex) => new(_names[m], frame.Meta.SourceId, frame.Meta.Index, ex);

    private static InvalidOperationException NoInputs() => new("The frame has no prepared model inputs; the preprocess stage must run first.");

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _lanes.Dispose();
        return ValueTask.CompletedTask;
    }
}
