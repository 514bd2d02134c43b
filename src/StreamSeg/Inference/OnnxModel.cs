using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// One loaded model: its session (on the provider the factory chose, with the pixel preprocessing prepended when
/// asked), its adapter, and the parts that run it, chosen once at load: where the outputs go
/// (<see cref="IOutputAllocator"/>), the recurrent state of each source (<see cref="RecurrentStateBinder"/>, RVM) and
/// cross-stream batches (<see cref="BatchRunner"/>).
/// </summary>
/// <remarks>
/// <para>When every output has a static float shape, outputs are bound to preallocated buffers and ONNX Runtime writes
/// into them directly; when their shapes follow the input, the buffers are made after the first run at each input
/// shape; otherwise (dynamic shapes such as R-CNN exports) ONNX Runtime allocates the outputs and they are copied into
/// pooled arrays.</para>
/// <para>Not thread-safe: one worker runs a model at a time (each model has its own binding, buffers and states, and
/// nothing is static, so different models may run on different workers). Outputs may be disposed on any thread.</para>
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    private readonly ProfiledSessions _sessions;
    private readonly IOutputAllocator _outputs;
    private readonly RecurrentStateBinder? _recurrent;
    private readonly BatchRunner? _batch;
    private readonly SplitBatchRunner? _split;

    /// <summary>Loads <paramref name="path"/> with <paramref name="factory"/> and picks its adapter.</summary>
    /// <param name="path">The ONNX file.</param>
    /// <param name="factory">Creates the session on the chosen provider.</param>
    /// <param name="adapterName">An adapter name, or null/<c>auto</c> to pick one from the signature.</param>
    /// <param name="adapterOptions">The adapter's thresholds.</param>
    /// <param name="pixelComposer">
    /// When given, the model gets a preprocessing graph in front of its image input (see <see cref="IPixelInputComposer"/>)
    /// and is fed resized uint8 BGR pixels (<see cref="Input"/> says <see cref="PixelUpload.Bgr8"/>), unless its input
    /// has no batch axis (torchvision R-CNN), which keeps the CPU conversion.
    /// </param>
    /// <param name="batchSplitter">
    /// When given, a model that cannot batch as it is (a batch of 1 fixed in its graph) and keeps no recurrent state is
    /// split into a batched part and a per-frame part (see <see cref="IBatchGraphSplitter"/>, <see cref="BatchSplit"/>).
    /// </param>
    /// <param name="logger">Gets the TensorRT profile lines (<see cref="UseShapes"/>).</param>
    public OnnxModel(string path, OnnxSessionFactory factory, string? adapterName = null, AdapterOptions? adapterOptions = null, IPixelInputComposer? pixelComposer = null, IBatchGraphSplitter? batchSplitter = null, ILogger<OnnxModel>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Path = path;
        InferenceSession session;
        byte[]? composed = null;
        Func<TensorRtProfile?, (InferenceSession Session, string Provider)> create = profile => factory.Create(path, profile);
        if (pixelComposer is null)
        {
            (session, Provider) = factory.Create(path);
        }
        else
        {
            // The signature and adapter come from the model as published; the session runs the composed graph.
            using (InferenceSession plain = OnnxSessionFactory.CreateForInspection(path))
            {
                Signature = ModelSignatureReader.Read(plain, path);
                Adapter = ModelAdapterFactory.Create(Signature, adapterName, adapterOptions);
            }

            if (Adapter.Input.Layout == TensorLayout.Chw)
            {
                (session, Provider) = factory.Create(path);
            }
            else
            {
                composed = pixelComposer.Compose(File.ReadAllBytes(path), Adapter.Input);
                (session, Provider) = factory.Create(composed, path);
                create = profile => factory.Create(composed, path, profile);
                Input = Adapter.Input with { Upload = PixelUpload.Bgr8 };
            }
        }

        try
        {
            Signature ??= ModelSignatureReader.Read(session, path);
            Adapter ??= ModelAdapterFactory.Create(Signature, adapterName, adapterOptions);
            Input ??= Adapter.Input;
            string[] outputNames = [.. session.OutputNames];
            if (Adapter is IRecurrentAdapter recurrent)
            {
                _recurrent = new RecurrentStateBinder(recurrent, outputNames);
            }

            bool[] needed = OutputAllocatorChoice.Needed(Signature, Adapter, _recurrent, out bool learnable);
            if (ModelShapeRules.BatchRowShapes(Signature, _recurrent is not null, out long[][]? rowShapes))
            {
                _batch = new BatchRunner(System.IO.Path.GetFileName(path), Adapter.Input.Name, rowShapes);
                SupportsBatch = true;
            }
            else if (_recurrent is not null && ModelShapeRules.RecurrentBatches(Signature, Adapter.Input.Name) && StartStatesAtFullShape())
            {
                // States stacked along the batch axis need one shape per frame size: full-shape zeros from the start.
                _batch = new BatchRunner(System.IO.Path.GetFileName(path), Adapter.Input.Name, null);
                SupportsBatch = true;
            }
            else if (_recurrent is null && batchSplitter?.Split(composed ?? File.ReadAllBytes(path), Adapter.Input.Name) is ModelSplit split)
            {
                BatchSplit = split.Description;
                if (split.IsSplit)
                {
                    _split = new SplitBatchRunner(System.IO.Path.GetFileName(path), Adapter.Input.Name, split, (bytes, profile) => factory.Create(bytes, path, profile).Session, ShapesAt, outputNames, needed, logger);
                    SupportsBatch = true;
                }
            }

            _outputs = OutputAllocatorChoice.Choose(Signature, Adapter, outputNames, rowShapes, learnable, out bool preallocated);
            OutputsPreallocated = preallocated;
            _sessions = new ProfiledSessions(
                new ModelSession(session, outputNames, needed),
                profile => new ModelSession(create(profile).Session, outputNames, needed),
                ShapesAt,
                System.IO.Path.GetFileName(path),
                logger);
        }
        catch
        {
            _recurrent?.Dispose();
            session.Dispose();
            throw;
        }
    }

    /// <summary>Gets the model file.</summary>
    public string Path { get; }

    /// <summary>Gets the provider the session runs on.</summary>
    public string Provider { get; }

    /// <summary>Gets the model's declared tensors and metadata.</summary>
    public ModelSignature Signature { get; }

    /// <summary>Gets the adapter chosen for the model.</summary>
    public IModelAdapter Adapter { get; }

    /// <summary>
    /// Gets what the preprocess stage must feed this session: the adapter's input, or the same with
    /// <see cref="PixelUpload.Bgr8"/> when a preprocessing graph was prepended.
    /// </summary>
    public InputSpec Input { get; }

    /// <summary>Gets whether outputs are written straight into preallocated buffers.</summary>
    public bool OutputsPreallocated { get; }

    /// <summary>
    /// Gets whether one run can take several frames (<see cref="RunBatch(IReadOnlyList{PooledTensor})"/>): the model has
    /// a single image input whose first dimension is free and every output has a free first dimension; or it is a
    /// recurrent model (RVM) whose image input has a free first dimension and whose adapter knows the states' shapes,
    /// so that the frames' sources' states can be stacked (<see cref="RunBatch(IReadOnlyList{PooledTensor}, IReadOnlyList{int}, IReadOnlyList{bool})"/>);
    /// or its graph was split for batching (<see cref="BatchSplit"/>).
    /// </summary>
    public bool SupportsBatch { get; private set; }

    /// <summary>
    /// Gets how the model was split to batch (a batched part up to the tensors its fixed-batch post-processing reads,
    /// then that post-processing per frame), or why it could not be; null when no split was tried (the model batches
    /// as it is, keeps recurrent state, or no splitter was given).
    /// </summary>
    public string? BatchSplit { get; }

    /// <summary>Gets the runner of the split model's batches, or null.</summary>
    internal SplitBatchRunner? Split => _split;

    /// <summary>Gets the per-source recurrent states, or null when the model has none.</summary>
    public RecurrentStateStore? States => _recurrent?.States;

    /// <summary>
    /// Runs the model on <paramref name="input"/> alone: a recurrent model starts from a zero state that is not kept.
    /// The caller owns the returned output and must dispose it.
    /// </summary>
    public ModelOutput Run(PooledTensor input) => Run(input, -1, discontinuity: true);

    /// <summary>
    /// Runs the model on <paramref name="input"/>, a frame of source <paramref name="sourceKey"/> (its index in the run;
    /// negative for a one-off run whose state is not kept). A recurrent model continues that source's state unless
    /// <paramref name="discontinuity"/> is set (frames were dropped), the source is new or the frame size changed.
    /// The caller owns the returned output and must dispose it.
    /// </summary>
    /// <remarks>One session may be run several times per frame (for example at several input sizes): each run's output is its own.</remarks>
    public ModelOutput Run(PooledTensor input, int sourceKey, bool discontinuity)
    {
        ArgumentNullException.ThrowIfNull(input);
        ModelSession session = _sessions.For(input.Transform.SourceWidth, input.Transform.SourceHeight, 1);
        session.BindInput(Adapter.Input.Name, input.Value);
        if (_recurrent is null)
        {
            return _outputs.Run(session, input, observer: null);
        }

        _recurrent.Bind(session, input.Transform, sourceKey, discontinuity);
        try
        {
            return _outputs.Run(session, input, _recurrent);
        }
        finally
        {
            _recurrent.Unbind(sourceKey);
        }
    }

    /// <summary>
    /// Runs the model once on <paramref name="inputs"/> (tensors of one shape, typically frames of several streams)
    /// stacked along the first dimension, and returns one output per input, in order. The caller owns the outputs and
    /// must dispose each. Needs <see cref="SupportsBatch"/>; a batch of one is a plain <see cref="Run(PooledTensor)"/>.
    /// </summary>
    /// <remarks>
    /// The inputs are copied once into a pooled batch tensor. When the outputs' other dimensions are static, ONNX
    /// Runtime writes them into a preallocated set per batch size and each frame's output is a view of its rows,
    /// returned to the pool when the last of the batch is disposed; otherwise each frame's rows are copied out.
    /// </remarks>
    public ModelOutput[] RunBatch(IReadOnlyList<PooledTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            return [];
        }

        if (!SupportsBatch)
        {
            throw new InvalidOperationException($"Model '{System.IO.Path.GetFileName(Path)}' cannot run batches: its input '{Adapter.Input.Name}' or an output has a fixed first dimension, or it keeps recurrent state.");
        }

        if (inputs.Count == 1)
        {
            return [Run(inputs[0], -1, discontinuity: true)];
        }

        if (_recurrent is not null)
        {
            (int[] keys, bool[] discontinuities) = BatchSources.OneOff(inputs.Count);
            return RunBatch(inputs, keys, discontinuities);
        }

        LetterboxTransform first = inputs[0].Transform;
        return _split?.Run(inputs, _outputs) ?? _batch!.Run(_sessions.For(first.SourceWidth, first.SourceHeight, inputs.Count), inputs);
    }

    /// <summary>
    /// Runs the model once on <paramref name="inputs"/>, frames of the sources <paramref name="sourceKeys"/> (one frame
    /// per source, all of one size), as <see cref="RunBatch(IReadOnlyList{PooledTensor})"/>; a recurrent model stacks
    /// those sources' states along the batch axis and gives each source its rows of the state outputs back, and a
    /// source whose <paramref name="discontinuities"/> entry is set starts again from zeros, alone. Gives each frame
    /// exactly what <see cref="Run(PooledTensor, int, bool)"/> would, frame by frame.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a source is in the batch twice.</exception>
    public ModelOutput[] RunBatch(IReadOnlyList<PooledTensor> inputs, IReadOnlyList<int> sourceKeys, IReadOnlyList<bool> discontinuities)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(sourceKeys);
        ArgumentNullException.ThrowIfNull(discontinuities);
        if (sourceKeys.Count != inputs.Count || discontinuities.Count != inputs.Count)
        {
            throw new ArgumentException($"{inputs.Count} inputs need as many source keys and discontinuity flags; got {sourceKeys.Count} and {discontinuities.Count}.", nameof(sourceKeys));
        }

        if (_recurrent is null)
        {
            return RunBatch(inputs);
        }

        if (inputs.Count == 1)
        {
            return [Run(inputs[0], sourceKeys[0], discontinuities[0])];
        }

        if (!SupportsBatch)
        {
            throw new InvalidOperationException($"Model '{System.IO.Path.GetFileName(Path)}' cannot run batches: its input '{Adapter.Input.Name}' has a fixed first dimension, or its adapter does not know its states' shapes.");
        }

        BatchSources.ThrowIfRepeated(sourceKeys);

        LetterboxTransform first = inputs[0].Transform;
        ModelSession session = _sessions.For(first.SourceWidth, first.SourceHeight, inputs.Count);
        try
        {
            if (!_recurrent.BindBatch(session, first, sourceKeys, discontinuities))
            {
                var one = new ModelOutput[inputs.Count];
                for (int b = 0; b < one.Length; b++)
                {
                    one[b] = Run(inputs[b], sourceKeys[b], discontinuities[b]);
                }

                return one;
            }

            ModelOutput[] outputs = _batch!.Run(session, inputs);
            _recurrent.OnBatchOutputs(outputs);
            return outputs;
        }
        finally
        {
            _recurrent.UnbindBatch(sourceKeys);
        }
    }

    /// <summary>Gets the TensorRT optimisation profile the session was built for (<see cref="UseShapes"/>), or null.</summary>
    public TensorRtProfile? Profile => _sessions.Profile;

    /// <summary>
    /// Tells the model the frame sizes and batch sizes the run will feed. On TensorRT, a model with dynamic inputs (the
    /// frame-sized RVM, MoveNet at its long side, any model that batches) gets its engine built now for the profile of
    /// those shapes (<see cref="TensorRtProfile"/>, cached under a key that includes it) instead of on the first frame
    /// and again mid-run; a frame size that later falls outside it gets an engine of its own, logged once. On the other
    /// providers nothing changes. Returns the profile, or null when none applies.
    /// </summary>
    public TensorRtProfile? UseShapes(TensorRtShapePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (Provider != OnnxSessionFactory.ProviderName(ExecutionDevice.TensorRt))
        {
            return null;
        }

        // An engine takes only shapes inside its profile: a state's first frame must have the shape of the later ones.
        StartStatesAtFullShape();
        if (_split is not null && SupportsBatch && plan.MaxBatch > 1)
        {
            // A split model runs batches on its parts, and single frames whole.
            _ = _split.Apply(plan, Input);
        }

        return _sessions.Apply(SupportsBatch && _split is null ? plan : plan with { MaxBatch = 1 });
    }

    /// <summary>
    /// Makes a recurrent model's states start (and restart) as zeros at their full shape rather than the adapter's
    /// initial broadcast shape, where the adapter knows the shape (<see cref="IRecurrentAdapter.StateShape"/>); the
    /// model computes the same either way. Returns whether it applies.
    /// </summary>
    internal bool StartStatesAtFullShape()
    {
        if (_recurrent is null || Adapter is not IRecurrentAdapter recurrent || recurrent.StateShape(0, 16, 16) is null)
        {
            return false;
        }

        _recurrent.States.ZeroShape = recurrent.StateShape;
        return true;
    }

    /// <summary>
    /// Gets the shapes of the model's dynamic inputs (the image, and a recurrent model's states) for <paramref name="batch"/>
    /// frames of <paramref name="size"/>, as the runs feed them; empty when an input's shape cannot be told (no profile
    /// is made then) or none is dynamic.
    /// </summary>
    public IReadOnlyDictionary<string, long[]> ShapesAt(FrameSize size, int batch) => DynamicInputShapes.At(Signature, Adapter, Input, size, batch);

    /// <summary>Runs the model once on a zero input so that the first frame does not pay for lazy initialisation.</summary>
    public void WarmUp(int frameWidth, int frameHeight)
    {
        using PooledTensor input = ZeroFrame.For(Input, frameWidth, frameHeight);
        using ModelOutput output = Run(input);
    }

    /// <summary>
    /// Runs one batch of <paramref name="batch"/> zero frames, as a run will under load: a graph that declares a free
    /// batch dimension but cannot take one fails here, at start-up, rather than minutes into a run (and a TensorRT
    /// engine for that batch is built now). On failure batching is turned off for this model
    /// (<see cref="SupportsBatch"/> becomes false) and the reason is returned; null when it worked or does not apply.
    /// </summary>
    public string? WarmUpBatch(int frameWidth, int frameHeight, int batch)
    {
        if (!SupportsBatch || batch < 2)
        {
            return null;
        }

        using PooledTensor input = ZeroFrame.For(Input, frameWidth, frameHeight);
        var inputs = new PooledTensor[batch];
        Array.Fill(inputs, input);
        try
        {
            Array.ForEach(RunBatch(inputs), o => o.Dispose());
            return null;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidOperationException)
        {
            SupportsBatch = false;
            return OnnxSessionFactory.Reason(ex.Message);
        }
    }

    /// <summary>Releases the session, binding and buffers.</summary>
    public void Dispose()
    {
        _sessions.Dispose();
        _recurrent?.Dispose();
        _outputs.Dispose();
        _batch?.Dispose();
        _split?.Dispose();
    }
}
