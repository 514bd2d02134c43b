using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// One loaded model: its session (on the provider the factory chose), its adapter, an IOBinding created once, and a
/// pool of output buffers. When every output has a static float shape, outputs are bound to preallocated buffers
/// and ONNX Runtime writes into them directly; otherwise (dynamic shapes such as R-CNN exports) ONNX Runtime
/// allocates the outputs and they are copied into pooled arrays.
/// </summary>
/// <remarks>
/// Not thread-safe: one inference stage runs a model at a time. A model whose adapter is an
/// <see cref="IRecurrentAdapter"/> (RVM) also gets, on each run, its state inputs from the
/// <see cref="RecurrentStateStore"/> entry of the frame's source and its extra inputs (bound over buffers created once
/// per frame size); after the run the state outputs are copied into that entry for the source's next frame.
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;
    private readonly long[][]? _staticShapes;
    private readonly ConcurrentBag<OutputSet> _freeSets = [];
    private readonly List<OutputSet> _allSets = [];
    private readonly Action<ModelOutput> _releaseStatic;
    private readonly Action<ModelOutput> _releaseRented;
    private readonly Dictionary<ModelOutput, OutputSet> _setByOutput = [];
    private readonly IRecurrentAdapter? _recurrent;
    private readonly RecurrentStateStore? _states;
    private readonly int[] _stateOutputIndex = [];
    private readonly Dictionary<RawTensor, OrtValue> _extraValues = new(ReferenceEqualityComparer.Instance);
    private readonly long[][]? _batchRowShapes;
    private readonly bool[] _needed;
    private readonly bool _learnable;
    private readonly Dictionary<(long, long, long, long, int, int), LearnedOutputs> _learned = [];
    private readonly TensorPools _batchInputPools = new();
    private readonly Dictionary<int, ConcurrentBag<OutputSet>> _freeBatchSets = [];

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
    public OnnxModel(string path, OnnxSessionFactory factory, string? adapterName = null, AdapterOptions? adapterOptions = null, IPixelInputComposer? pixelComposer = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Path = path;
        if (pixelComposer is null)
        {
            (_session, Provider) = factory.Create(path);
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
                (_session, Provider) = factory.Create(path);
            }
            else
            {
                byte[] composed = pixelComposer.Compose(File.ReadAllBytes(path), Adapter.Input);
                (_session, Provider) = factory.Create(composed, path);
                Input = Adapter.Input with { Upload = PixelUpload.Bgr8 };
            }
        }

        try
        {
            Signature ??= ModelSignatureReader.Read(_session, path);
            Adapter ??= ModelAdapterFactory.Create(Signature, adapterName, adapterOptions);
            Input ??= Adapter.Input;
            _outputNames = [.. _session.OutputNames];
            _staticShapes = StaticFloatShapes(Signature);
            if (Adapter is IRecurrentAdapter recurrent)
            {
                _recurrent = recurrent;
                _stateOutputIndex = StateOutputIndices(recurrent, _outputNames);
                _states = new RecurrentStateStore(recurrent.States.Count, recurrent.InitialStateShape);
            }

            SupportsBatch = BatchDimensions(Signature, _recurrent, out _batchRowShapes);
            _needed = new bool[_outputNames.Length];
            _learnable = true;
            for (int i = 0; i < _needed.Length; i++)
            {
                _needed[i] = Adapter.NeedsOutput(i) || Array.IndexOf(_stateOutputIndex, i) >= 0;

                // Learned buffers are float: an integer output keeps the copying path.
                _learnable &= !_needed[i] || Signature.Outputs[i].ElementType == nameof(TensorElementType.Float);
            }
            _binding = _session.CreateIoBinding();
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        _releaseStatic = ReleaseStatic;
        _releaseRented = ReleaseRented;
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
    public bool OutputsPreallocated => _staticShapes is not null;

    /// <summary>
    /// Gets whether one run can take several frames (<see cref="RunBatch"/>): the model has a single image input
    /// whose first dimension is free, every output has a free first dimension, and it keeps no recurrent state.
    /// </summary>
    public bool SupportsBatch { get; private set; }

    /// <summary>Gets the per-source recurrent states, or null when the model has none.</summary>
    public RecurrentStateStore? States => _states;

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
    public ModelOutput Run(PooledTensor input, int sourceKey, bool discontinuity)
    {
        ArgumentNullException.ThrowIfNull(input);
        _binding.BindInput(Adapter.Input.Name, input.Value);
        RecurrentState? state = BindRecurrentInputs(input.Transform, sourceKey, discontinuity);
        try
        {
            return RunBound(input, state);
        }
        finally
        {
            if (sourceKey < 0 && state is not null)
            {
                _states!.Remove(sourceKey);
            }
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

        long[] one = inputs[0].Shape;
        for (int b = 1; b < inputs.Count; b++)
        {
            if (!inputs[b].Shape.AsSpan().SequenceEqual(one) || inputs[b].Element != inputs[0].Element)
            {
                throw new ArgumentException($"A batch needs inputs of one shape and type; got {ShapeText(one)} and {ShapeText(inputs[b].Shape)}.", nameof(inputs));
            }
        }

        using PooledTensor batch = StackInputs(inputs);
        _binding.BindInput(Adapter.Input.Name, batch.Value);
        return _batchRowShapes is not null ? RunBatchPreallocated(inputs) : RunBatchCopied(inputs);
    }

    private PooledTensor StackInputs(IReadOnlyList<PooledTensor> inputs)
    {
        long[] one = inputs[0].Shape;
        TensorElement element = inputs[0].Element;
        long[] shape = [.. one];
        shape[0] = inputs.Count * one[0];
        PooledTensor batch = _batchInputPools.Rent(shape, element);
        for (int b = 0; b < inputs.Count; b++)
        {
            switch (element)
            {
                case TensorElement.Int32:
                    inputs[b].Ints.AsSpan().CopyTo(batch.Ints.AsSpan(b * inputs[b].Ints!.Length));
                    break;
                case TensorElement.UInt8:
                    inputs[b].Bytes.AsSpan().CopyTo(batch.Bytes.AsSpan(b * inputs[b].Bytes!.Length));
                    break;
                default:
                    inputs[b].Floats.AsSpan().CopyTo(batch.Floats.AsSpan(b * inputs[b].Floats!.Length));
                    break;
            }
        }

        return batch;
    }

    private ModelOutput[] RunBatchPreallocated(IReadOnlyList<PooledTensor> inputs)
    {
        int count = inputs.Count;
        ConcurrentBag<OutputSet> free;
        lock (_freeBatchSets)
        {
            if (!_freeBatchSets.TryGetValue(count, out free!))
            {
                free = [];
                _freeBatchSets[count] = free;
            }
        }

        if (!free.TryTake(out OutputSet? set))
        {
            var shapes = new long[_outputNames.Length][];
            for (int i = 0; i < shapes.Length; i++)
            {
                shapes[i] = [.. _batchRowShapes![i]];
                shapes[i][0] = count;
            }

            set = NewSet(shapes, home: null);
        }

        // Every output, in order (an earlier single-frame run may have bound only some).
        _binding.ClearBoundOutputs();
        for (int i = 0; i < _outputNames.Length; i++)
        {
            _binding.BindOutput(_outputNames[i], set.Values[i]);
        }

        try
        {
            _session.RunWithBinding(_runOptions, _binding);
        }
        catch
        {
            free.Add(set);
            throw;
        }

        var lease = new BatchLease(set, free, count);
        var outputs = new ModelOutput[count];
        for (int b = 0; b < count; b++)
        {
            var tensors = new RawTensor[_outputNames.Length];
            for (int i = 0; i < tensors.Length; i++)
            {
                long[] row = _batchRowShapes![i];
                int per = checked((int)(set.Tensors[i].ElementCount / count));
                tensors[i] = new RawTensor(_outputNames[i], row, set.Tensors[i].Data.Slice(b * per, per));
            }

            int index = b;
            outputs[b] = new ModelOutput(tensors, inputs[b].Transform, _ => lease.Release(index));
        }

        return outputs;
    }

    private ModelOutput[] RunBatchCopied(IReadOnlyList<PooledTensor> inputs)
    {
        int count = inputs.Count;
        _binding.ClearBoundOutputs();
        for (int i = 0; i < _outputNames.Length; i++)
        {
            _binding.BindOutputToDevice(_outputNames[i], OrtMemoryInfo.DefaultInstance);
        }

        _session.RunWithBinding(_runOptions, _binding);
        using IDisposableReadOnlyCollection<OrtValue> values = _binding.GetOutputValues();
        var outputs = new ModelOutput[count];
        var columns = new RawTensor[values.Count];
        try
        {
            for (int i = 0; i < values.Count; i++)
            {
                columns[i] = CopyToRented(_outputNames[i], values[i]);
                if (columns[i].Shape.Length == 0 || columns[i].Shape[0] != count)
                {
                    throw new InvalidOperationException(
                        $"Model '{System.IO.Path.GetFileName(Path)}': output '{_outputNames[i]}' has shape {columns[i].ShapeText} for a batch of {count}; expected {count} rows. The model does not batch: run with --batch 1.");
                }
            }

            for (int b = 0; b < count; b++)
            {
                var tensors = new RawTensor[columns.Length];
                for (int i = 0; i < columns.Length; i++)
                {
                    int per = checked((int)(columns[i].ElementCount / count));
                    long[] row = [1, .. columns[i].Shape.AsSpan(1)];
                    float[] buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, per));
                    columns[i].Span.Slice(b * per, per).CopyTo(buffer);
                    tensors[i] = new RawTensor(_outputNames[i], row, buffer.AsMemory(0, per));
                }

                outputs[b] = new ModelOutput(tensors, inputs[b].Transform, _releaseRented);
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
            ReturnRented(columns);
        }

        return outputs;
    }

    private static string ShapeText(long[] shape) => "[" + string.Join(',', shape) + "]";

    private static bool BatchDimensions(ModelSignature signature, IRecurrentAdapter? recurrent, out long[][]? rowShapes)
    {
        rowShapes = null;
        if (recurrent is not null || signature.Inputs.Count != 1 || signature.Inputs[0].Shape is not { Length: 4 } input || input[0] > 0)
        {
            return false;
        }

        var rows = new long[signature.Outputs.Count][];
        bool staticRows = true;
        for (int i = 0; i < rows.Length; i++)
        {
            TensorSignature o = signature.Outputs[i];
            if (o.Shape.Length == 0 || o.Shape[0] > 0)
            {
                return false;
            }

            rows[i] = [1, .. o.Shape.AsSpan(1)];
            staticRows &= o.ElementType == nameof(TensorElementType.Float) && Array.TrueForAll(rows[i], d => d > 0);
        }

        rowShapes = staticRows ? rows : null;
        return true;
    }

    private ModelOutput RunBound(PooledTensor input, RecurrentState? state)
    {
        if (_staticShapes is null && _batchRowShapes is not null)
        {
            // A free batch dimension but static rows: a batch of one still gets preallocated outputs.
            return RunBatchPreallocated([input])[0];
        }

        if (_staticShapes is not null)
        {
            return RunIntoSet(RentSet(), _freeSets, input, state);
        }

        (long, long, long, long, int, int) key = default;
        if (Adapter.OutputShapesFollowInput)
        {
            key = ShapeKey(input);
            if (_learned.TryGetValue(key, out LearnedOutputs? learned))
            {
                return RunLearned(input, state, learned);
            }
        }

        // Only the outputs the adapter reads are fetched (RVM's full-resolution foreground colours are not).
        _binding.ClearBoundOutputs();
        for (int i = 0; i < _outputNames.Length; i++)
        {
            if (_needed[i])
            {
                _binding.BindOutputToDevice(_outputNames[i], OrtMemoryInfo.DefaultInstance);
            }
        }

        _session.RunWithBinding(_runOptions, _binding);
        using IDisposableReadOnlyCollection<OrtValue> values = _binding.GetOutputValues();
        var byOutput = new OrtValue[_outputNames.Length];
        for (int i = 0, k = 0; i < byOutput.Length; i++)
        {
            byOutput[i] = _needed[i] ? values[k++] : null!;
        }

        if (state is not null)
        {
            UpdateState(state, byOutput);
        }

        var tensors = new RawTensor[byOutput.Length];
        for (int i = 0; i < byOutput.Length; i++)
        {
            tensors[i] = _needed[i] ? CopyToRented(_outputNames[i], byOutput[i]) : new RawTensor(_outputNames[i], [0], Memory<float>.Empty);
        }

        if (Adapter.OutputShapesFollowInput && _learnable)
        {
            // From the next frame of this size on, ONNX Runtime writes into buffers made for these shapes.
            _learned[key] = new LearnedOutputs(Array.ConvertAll(tensors, t => t.Shape));
        }

        return new ModelOutput(tensors, input.Transform, _releaseRented);
    }

    /// <summary>The learned-shape key of a run: the input's dimensions (up to rank 4) and the frame size.</summary>
    private static (long, long, long, long, int, int) ShapeKey(PooledTensor input)
    {
        long[] s = input.Shape;
        return (s.Length > 0 ? s[0] : 0, s.Length > 1 ? s[1] : 0, s.Length > 2 ? s[2] : 0, s.Length > 3 ? s[3] : 0, input.Transform.SourceWidth, input.Transform.SourceHeight);
    }

    private ModelOutput RunLearned(PooledTensor input, RecurrentState? state, LearnedOutputs learned)
    {
        if (!learned.Free.TryTake(out OutputSet? set))
        {
            set = NewSet(learned.Shapes, learned.Free);
        }

        return RunIntoSet(set, learned.Free, input, state);
    }

    /// <summary>
    /// Runs with the needed outputs bound to <paramref name="set"/>'s preallocated buffers; the returned output holds
    /// the set until it is disposed, then the set goes back to <paramref name="home"/> (at once if the run fails).
    /// </summary>
    private ModelOutput RunIntoSet(OutputSet set, ConcurrentBag<OutputSet> home, PooledTensor input, RecurrentState? state)
    {
        _binding.ClearBoundOutputs();
        for (int i = 0; i < _outputNames.Length; i++)
        {
            if (_needed[i])
            {
                _binding.BindOutput(_outputNames[i], set.Values[i]);
            }
        }

        try
        {
            _session.RunWithBinding(_runOptions, _binding);
        }
        catch
        {
            home.Add(set);
            throw;
        }

        if (state is not null)
        {
            UpdateState(state, set.Values);
        }

        var output = new ModelOutput(set.Tensors, input.Transform, _releaseStatic);
        lock (_setByOutput)
        {
            _setByOutput[output] = set;
        }

        return output;
    }

    /// <summary>Runs the model once on a zero input so that the first frame does not pay for lazy initialisation.</summary>
    public void WarmUp(int frameWidth, int frameHeight)
    {
        long[] shape = TensorWriter.ShapeFor(Input, frameWidth, frameHeight);
        using PooledTensor input = PooledTensor.CreateUnpooled(shape, TensorWriter.ElementFor(Input));
        input.Transform = TensorWriter.TransformFor(Input, frameWidth, frameHeight);
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

        long[] shape = TensorWriter.ShapeFor(Input, frameWidth, frameHeight);
        using PooledTensor input = PooledTensor.CreateUnpooled(shape, TensorWriter.ElementFor(Input));
        input.Transform = TensorWriter.TransformFor(Input, frameWidth, frameHeight);
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
        _binding.Dispose();
        _runOptions.Dispose();
        _states?.Dispose();
        foreach (OrtValue v in _extraValues.Values)
        {
            v.Dispose();
        }

        _session.Dispose();
        _batchInputPools.Dispose();

        lock (_allSets)
        {
            foreach (OutputSet set in _allSets)
            {
                foreach (OrtValue v in set.Values)
                {
                    v.Dispose();
                }
            }
        }
    }

    private static int[] StateOutputIndices(IRecurrentAdapter adapter, string[] outputNames)
    {
        var indices = new int[adapter.States.Count];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = Array.IndexOf(outputNames, adapter.States[i].Output);
            if (indices[i] < 0)
            {
                throw new ModelNotSupportedException(
                    $"Adapter '{adapter.Name}' feeds state input '{adapter.States[i].Input}' from output '{adapter.States[i].Output}', which the model does not have.");
            }
        }

        return indices;
    }

    private RecurrentState? BindRecurrentInputs(in LetterboxTransform transform, int sourceKey, bool discontinuity)
    {
        if (_recurrent is null)
        {
            return null;
        }

        RecurrentState state = _states!.Acquire(sourceKey, discontinuity, transform.SourceWidth, transform.SourceHeight);
        for (int i = 0; i < _recurrent.States.Count; i++)
        {
            _binding.BindInput(_recurrent.States[i].Input, state.ValueOf(i));
        }

        IReadOnlyList<RawTensor> extras = _recurrent.ExtraInputs(transform.SourceWidth, transform.SourceHeight);
        for (int i = 0; i < extras.Count; i++)
        {
            RawTensor extra = extras[i];
            if (!_extraValues.TryGetValue(extra, out OrtValue? value))
            {
                // Created once per distinct tensor (the adapter returns the same ones for the same frame size).
                value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, extra.Data, extra.Shape);
                _extraValues[extra] = value;
            }

            _binding.BindInput(extra.Name, value);
        }

        return state;
    }

    private void UpdateState(RecurrentState state, IReadOnlyList<OrtValue> outputs)
    {
        for (int i = 0; i < _stateOutputIndex.Length; i++)
        {
            state.Update(i, outputs[_stateOutputIndex[i]]);
        }

        state.Advance();
    }

    private static long[][]? StaticFloatShapes(ModelSignature signature)
    {
        var shapes = new long[signature.Outputs.Count][];
        for (int i = 0; i < shapes.Length; i++)
        {
            TensorSignature o = signature.Outputs[i];
            // An empty shape is how ONNX Runtime reports an output of unknown rank (as well as a true scalar): treat it
            // as dynamic rather than preallocating a scalar that the run would not fit.
            if (o.ElementType != nameof(TensorElementType.Float) || o.Shape.Length == 0 || Array.Exists(o.Shape, d => d <= 0))
            {
                return null;
            }

            shapes[i] = o.Shape;
        }

        return shapes;
    }

    private OutputSet RentSet()
    {
        if (_freeSets.TryTake(out OutputSet? set))
        {
            return set;
        }

        return NewSet(_staticShapes!, home: null);
    }

    /// <summary>Creates an output set of <paramref name="shapes"/>, registered for disposal with the model.</summary>
    private OutputSet NewSet(long[][] shapes, ConcurrentBag<OutputSet>? home)
    {
        var set = new OutputSet(_outputNames, shapes) { Home = home };
        lock (_allSets)
        {
            _allSets.Add(set);
        }

        return set;
    }

    private void ReleaseStatic(ModelOutput output)
    {
        OutputSet? set;
        lock (_setByOutput)
        {
            if (!_setByOutput.Remove(output, out set))
            {
                return;
            }
        }

        (set.Home ?? _freeSets).Add(set);
    }

    private static void ReleaseRented(ModelOutput output) => ReturnRented(output.Tensors);

    private static void ReturnRented(RawTensor?[] tensors)
    {
        foreach (RawTensor? t in tensors)
        {
            if (t is not null && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(t.Data, out ArraySegment<float> segment) && segment.Array is { Length: > 0 } array)
            {
                ArrayPool<float>.Shared.Return(array);
            }
        }
    }

    private static RawTensor CopyToRented(string name, OrtValue value)
    {
        OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
        long[] shape = info.Shape;
        int count = checked((int)info.ElementCount);
        float[] buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, count));
        Span<float> dst = buffer.AsSpan(0, count);
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                value.GetTensorDataAsSpan<float>().CopyTo(dst);
                break;
            case TensorElementType.Int64:
                ReadOnlySpan<long> longs = value.GetTensorDataAsSpan<long>();
                for (int i = 0; i < count; i++)
                {
                    dst[i] = longs[i];
                }

                break;
            case TensorElementType.Int32:
                ReadOnlySpan<int> ints = value.GetTensorDataAsSpan<int>();
                for (int i = 0; i < count; i++)
                {
                    dst[i] = ints[i];
                }

                break;
            case TensorElementType.Bool:
            case TensorElementType.UInt8:
                ReadOnlySpan<byte> bytes = value.GetTensorDataAsSpan<byte>();
                for (int i = 0; i < count; i++)
                {
                    dst[i] = bytes[i];
                }

                break;
            default:
                ArrayPool<float>.Shared.Return(buffer);
                throw new NotSupportedException($"Output '{name}' has element type {info.ElementDataType}; expected float, int64, int32, uint8 or bool.");
        }

        return new RawTensor(name, shape, buffer.AsMemory(0, count));
    }

    /// <summary>One batch's output set, shared by the batch's per-frame outputs; back to its pool when all are disposed.</summary>
    private sealed class BatchLease(OutputSet set, ConcurrentBag<OutputSet> pool, int count)
    {
        private readonly int[] _released = new int[count];
        private int _remaining = count;

        public void Release(int index)
        {
            if (Interlocked.Exchange(ref _released[index], 1) == 0 && Interlocked.Decrement(ref _remaining) == 0)
            {
                pool.Add(set);
            }
        }
    }

    /// <summary>Output shapes learned from the first run at one input shape, and the free sets made for them.</summary>
    private sealed class LearnedOutputs(long[][] shapes)
    {
        public long[][] Shapes { get; } = shapes;

        public ConcurrentBag<OutputSet> Free { get; } = [];
    }

    private sealed class OutputSet
    {
        public OutputSet(string[] names, long[][] shapes)
        {
            Values = new OrtValue[names.Length];
            Tensors = new RawTensor[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                long count = 1;
                foreach (long d in shapes[i])
                {
                    count *= d;
                }

                float[] data = new float[count];
                Values[i] = OrtValue.CreateTensorValueFromMemory(data, shapes[i]);
                Tensors[i] = new RawTensor(names[i], shapes[i], data);
            }
        }

        public OrtValue[] Values { get; }

        public RawTensor[] Tensors { get; }

        /// <summary>Gets the pool the set goes back to, when not the model's static one.</summary>
        public ConcurrentBag<OutputSet>? Home { get; init; }
    }
}
