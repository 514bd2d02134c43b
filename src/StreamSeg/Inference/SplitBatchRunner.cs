using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// Runs batches of a model that was split for batching (<see cref="ModelSplit"/>): the batched part once on the
/// stacked frames, then the per-frame part once per frame on its rows of the cut tensors, so each frame gets what the
/// whole model gives it alone while the heavy part runs once for all.
/// </summary>
/// <remarks>
/// <para>Each part is a session of its own, made by the same factory as the model's (provider fallbacks, TensorRT
/// engine cache): the first time a batch is run or shapes are planned (<see cref="Apply"/>), not at load, so a run that
/// never batches pays nothing. On TensorRT each part has its own engines: the parts' bytes differ, so their cache keys
/// do, and each part's profile is its own — the batched part's from the image input at the planned frame sizes and
/// batches, the per-frame part's from the cut tensors' shapes at those frame sizes (learned by running the batched part
/// once per size) at batch 1.</para>
/// <para>The cut tensors go into pinned buffers made once per input shape, with room for the largest batch, which
/// batches of every size share (<see cref="CutBuffers"/>); the first batch of a shape lets ONNX Runtime allocate and
/// copies them over, to learn their shapes. The model's
/// outputs go where a single-frame run's go (the model's <see cref="IOutputAllocator"/>). Not thread-safe: one
/// worker runs the model.</para>
/// </remarks>
internal sealed class SplitBatchRunner : IDisposable
{
    private readonly string _modelName;
    private readonly string _inputName;
    private readonly ModelSplit _split;
    private readonly Func<byte[], TensorRtProfile?, InferenceSession> _create;
    private readonly Func<FrameSize, int, IReadOnlyDictionary<string, long[]>> _inputShapesAt;
    private readonly string[] _outputNames;
    private readonly bool[] _needed;
    private readonly ILogger? _logger;
    private readonly BatchStacker _stacker = new();
    private readonly Dictionary<(long, long, long, long), CutBuffers> _cuts = [];
    private readonly Dictionary<FrameSize, IReadOnlyDictionary<string, long[]>> _rowShapes = [];
    private ProfiledSessions? _backbone;
    private ProfiledSessions? _head;
    private string[] _cutNames = [];
    private TensorElementType[] _cutTypes = [];
    private int _plannedBatch = 1;

    /// <summary>Creates the runner; no session is made yet.</summary>
    /// <param name="modelName">The model's file name, for messages.</param>
    /// <param name="inputName">The image input.</param>
    /// <param name="split">The two parts (<see cref="ModelSplit.IsSplit"/>).</param>
    /// <param name="create">Creates a session of a part's bytes, for a TensorRT profile or none.</param>
    /// <param name="inputShapesAt">The image input's shape for a frame size and a batch (the model's <see cref="OnnxModel.ShapesAt"/>).</param>
    /// <param name="outputNames">The model's outputs, in order.</param>
    /// <param name="needed">Which outputs are read.</param>
    /// <param name="logger">Gets the parts' TensorRT profile lines.</param>
    public SplitBatchRunner(string modelName, string inputName, ModelSplit split, Func<byte[], TensorRtProfile?, InferenceSession> create, Func<FrameSize, int, IReadOnlyDictionary<string, long[]>> inputShapesAt, string[] outputNames, bool[] needed, ILogger? logger = null)
    {
        if (!split.IsSplit)
        {
            throw new ArgumentException($"Model '{modelName}' was not split: {split.Description}", nameof(split));
        }

        _modelName = modelName;
        _inputName = inputName;
        _split = split;
        _create = create;
        _inputShapesAt = inputShapesAt;
        _outputNames = outputNames;
        _needed = needed;
        _logger = logger;
    }

    /// <summary>Gets the batched part's bytes (what its TensorRT engines are keyed by).</summary>
    public byte[] BackboneBytes => _split.Backbone!;

    /// <summary>Gets the per-frame part's bytes.</summary>
    public byte[] HeadBytes => _split.Head!;

    /// <summary>Gets how the model was split.</summary>
    public string Description => _split.Description;

    /// <summary>
    /// Runs <paramref name="inputs"/> (two or more frames of one shape): the batched part once, the per-frame part per
    /// frame, its outputs from <paramref name="outputs"/>. The caller owns the returned outputs.
    /// </summary>
    public ModelOutput[] Run(IReadOnlyList<PooledTensor> inputs, IOutputAllocator outputs)
    {
        EnsureSessions();
        CutBuffers cuts;
        using (PooledTensor batch = _stacker.Stack(inputs))
        {
            cuts = RunBackbone(batch, inputs[0].Transform, inputs.Count);
        }

        LetterboxTransform first = inputs[0].Transform;
        ModelSession head = _head!.For(first.SourceWidth, first.SourceHeight, 1);
        var results = new ModelOutput[inputs.Count];
        try
        {
            for (int b = 0; b < results.Length; b++)
            {
                IReadOnlyList<OrtValue> rows = cuts.Rows(b);
                for (int i = 0; i < _cutNames.Length; i++)
                {
                    head.BindInput(_cutNames[i], rows[i]);
                }

                results[b] = outputs.Run(head, inputs[b], observer: null);
            }
        }
        catch
        {
            ModelOutput.DisposeAll(results);
            throw;
        }

        return results;
    }

    /// <summary>
    /// Builds each part's TensorRT engines for <paramref name="plan"/> (<see cref="ProfiledSessions.Apply"/>): the batched
    /// part for the plan's frame sizes and batches, the per-frame part for the cut tensors of those frame sizes at batch 1.
    /// </summary>
    public (TensorRtProfile? Backbone, TensorRtProfile? Head) Apply(TensorRtShapePlan plan, InputSpec input)
    {
        EnsureSessions();
        _plannedBatch = Math.Max(_plannedBatch, plan.MaxBatch);
        TensorRtProfile? backbone = _backbone!.Apply(plan);
        LearnRowShapes(plan, input);
        return (backbone, _head!.Apply(plan with { MaxBatch = 1 }));
    }

    /// <summary>Gets the profiles <see cref="Apply"/> would build each part for, without building them (for tests and the cache key).</summary>
    public (TensorRtProfile? Backbone, TensorRtProfile? Head) ProfilesFor(TensorRtShapePlan plan, InputSpec input)
    {
        EnsureSessions();
        LearnRowShapes(plan, input);
        return (TensorRtProfile.Build(plan, _inputShapesAt), TensorRtProfile.Build(plan with { MaxBatch = 1 }, HeadShapesAt));
    }

    /// <summary>Releases the parts' sessions and the buffers.</summary>
    public void Dispose()
    {
        _backbone?.Dispose();
        _head?.Dispose();
        foreach (CutBuffers c in _cuts.Values)
        {
            c.Dispose();
        }

        _stacker.Dispose();
    }

    private void EnsureSessions()
    {
        if (_backbone is not null)
        {
            return;
        }

        InferenceSession backbone = _create(_split.Backbone!, null);
        try
        {
            _cutNames = [.. backbone.OutputNames];
            _cutTypes = [.. _cutNames.Select(n => backbone.OutputMetadata[n].ElementDataType)];
            foreach (TensorElementType type in _cutTypes)
            {
                // Fails now, at the first batch, for a type that cannot be split by rows.
                _ = CutBuffers.ElementSize(type);
            }
        }
        catch
        {
            backbone.Dispose();
            throw;
        }

        bool[] all = [.. _cutNames.Select(_ => true)];
        _backbone = new ProfiledSessions(
            new ModelSession(backbone, _cutNames, all),
            profile => new ModelSession(_create(_split.Backbone!, profile), _cutNames, all),
            _inputShapesAt,
            _modelName + " (batched part)",
            _logger);
        _head = new ProfiledSessions(
            new ModelSession(_create(_split.Head!, null), _outputNames, _needed),
            profile => new ModelSession(_create(_split.Head!, profile), _outputNames, _needed),
            HeadShapesAt,
            _modelName + " (per-frame part)",
            _logger);
    }

    private IReadOnlyDictionary<string, long[]> HeadShapesAt(FrameSize size, int batch) =>
        _rowShapes.TryGetValue(size, out IReadOnlyDictionary<string, long[]>? shapes) ? shapes : new Dictionary<string, long[]>();

    /// <summary>Runs the batched part once at batch 1 on a zero frame of each planned size whose cut shapes are not known yet.</summary>
    private void LearnRowShapes(TensorRtShapePlan plan, InputSpec input)
    {
        foreach (FrameSize size in plan.FrameSizes)
        {
            if (_rowShapes.ContainsKey(size))
            {
                continue;
            }

            using PooledTensor zero = ZeroFrame.For(input, size.Width, size.Height);
            _ = RunBackbone(zero, zero.Transform, 1);
        }
    }

    private CutBuffers RunBackbone(PooledTensor batch, LetterboxTransform transform, int count)
    {
        long[] s = batch.Shape;
        (long, long, long, long) key = (s.Length > 1 ? s[1] : 0, s.Length > 2 ? s[2] : 0, s.Length > 3 ? s[3] : 0, s.Length);
        ModelSession backbone = _backbone!.For(transform.SourceWidth, transform.SourceHeight, count);
        backbone.BindInput(_inputName, batch.Value);
        if (_cuts.TryGetValue(key, out CutBuffers? cuts) && count > cuts.Capacity)
        {
            // A larger batch than planned: room for it from now on (batches are at most --batch frames).
            var larger = new CutBuffers(_cutTypes, cuts.RowShapes, count);
            cuts.Dispose();
            _cuts[key] = cuts = larger;
        }

        if (cuts is not null)
        {
            backbone.BindOutputs(cuts.Whole(count), neededOnly: false);
            backbone.Run();
        }
        else
        {
            // First batch of this input shape: ONNX Runtime allocates, which tells the cut tensors' shapes.
            backbone.BindOutputsToCpu(neededOnly: false);
            backbone.Run();
            using IDisposableReadOnlyCollection<OrtValue> values = backbone.GetOutputValues();
            var rowShapes = new long[values.Count][];
            for (int i = 0; i < rowShapes.Length; i++)
            {
                long[] shape = values[i].GetTensorTypeAndShape().Shape;
                if (shape.Length == 0 || shape[0] != count)
                {
                    throw new InvalidOperationException(
                        $"Model '{_modelName}': the batched part's output '{_cutNames[i]}' has {(shape.Length == 0 ? "no rows" : $"{shape[0]} rows")} for a batch of {count}; the split does not batch.");
                }

                rowShapes[i] = [1, .. shape.AsSpan(1)];
            }

            cuts = new CutBuffers(_cutTypes, rowShapes, Math.Max(count, _plannedBatch));
            cuts.CopyFrom(values);
            _cuts[key] = cuts;
        }

        if (!_rowShapes.ContainsKey(new FrameSize(transform.SourceWidth, transform.SourceHeight)))
        {
            var rows = new Dictionary<string, long[]>(StringComparer.Ordinal);
            for (int i = 0; i < _cutNames.Length; i++)
            {
                rows[_cutNames[i]] = cuts.RowShapes[i];
            }

            _rowShapes[new FrameSize(transform.SourceWidth, transform.SourceHeight)] = rows;
        }

        return cuts;
    }
}
