using Microsoft.ML.OnnxRuntime;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// Feeds a recurrent model (RVM, <see cref="IRecurrentAdapter"/>): before a run it binds the state of the frame's
/// source from <see cref="States"/> (zeros for a new source, after a discontinuity or a change of frame size) and the
/// adapter's extra inputs; after the run it copies the state outputs into that state for the source's next frame.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one worker runs the model; the bound state is the one of the run in progress.</para>
/// <para>Several sources in one run (<see cref="BindBatch"/>): each source's state is one row of the state inputs,
/// stacked along the batch axis in the order of the frames, and after the run each frame's rows of the state outputs
/// go back into its own source's state (<see cref="OnBatchOutputs"/>). Every state must then have its full shape (a new
/// or reset source starts as zeros at it, <see cref="RecurrentStateStore.ZeroShape"/>), so rows of sources that are new,
/// reset or running on stack alike; a reset touches only its own source's rows.</para>
/// </remarks>
internal sealed class RecurrentStateBinder : IOutputObserver, IDisposable
{
    private readonly IRecurrentAdapter _adapter;
    private readonly int[] _stateOutputIndex;
    private readonly Dictionary<RawTensor, OrtValue> _extraValues = new(ReferenceEqualityComparer.Instance);
    private readonly TensorPools _stacks = new();
    private readonly List<RecurrentState> _boundBatch = [];
    private readonly List<PooledTensor> _stacked = [];
    private RecurrentState? _bound;

    /// <summary>Creates the binder for <paramref name="adapter"/> over a model with outputs <paramref name="outputNames"/>.</summary>
    /// <exception cref="ModelNotSupportedException">A state is fed from an output the model does not have.</exception>
    public RecurrentStateBinder(IRecurrentAdapter adapter, string[] outputNames)
    {
        _adapter = adapter;
        _stateOutputIndex = new int[adapter.States.Count];
        for (int i = 0; i < _stateOutputIndex.Length; i++)
        {
            _stateOutputIndex[i] = Array.IndexOf(outputNames, adapter.States[i].Output);
            if (_stateOutputIndex[i] < 0)
            {
                throw new ModelNotSupportedException(
                    $"Adapter '{adapter.Name}' feeds state input '{adapter.States[i].Input}' from output '{adapter.States[i].Output}', which the model does not have.");
            }
        }

        States = new RecurrentStateStore(adapter.States.Count, adapter.InitialStateShape);
    }

    /// <summary>Gets the per-source states.</summary>
    public RecurrentStateStore States { get; }

    /// <summary>Gets whether output <paramref name="index"/> feeds a state input (so it must be fetched).</summary>
    public bool FeedsState(int index) => Array.IndexOf(_stateOutputIndex, index) >= 0;

    /// <summary>
    /// Binds the state of <paramref name="sourceKey"/> and the extra inputs for a frame of <paramref name="transform"/>'s
    /// size; the state is reset first on <paramref name="discontinuity"/>. Call <see cref="Unbind"/> after the run.
    /// </summary>
    public void Bind(ModelSession session, in LetterboxTransform transform, int sourceKey, bool discontinuity)
    {
        RecurrentState state = States.Acquire(sourceKey, discontinuity, transform.SourceWidth, transform.SourceHeight);
        for (int i = 0; i < _adapter.States.Count; i++)
        {
            session.BindInput(_adapter.States[i].Input, state.ValueOf(i));
        }

        BindExtras(session, transform);
        _bound = state;
    }

    /// <summary>
    /// Binds the states of <paramref name="sourceKeys"/> (one per frame, all different, frames of one size), stacked
    /// along the batch axis, and the extra inputs; a source's state is reset first where its
    /// <paramref name="discontinuities"/> entry is set. Call <see cref="OnBatchOutputs"/> after the run, then
    /// <see cref="UnbindBatch"/>. Returns false, binding nothing, when the sources' states do not all have one shape
    /// (a model whose states the adapter mispredicts): the frames must then run one by one.
    /// </summary>
    public bool BindBatch(ModelSession session, in LetterboxTransform transform, IReadOnlyList<int> sourceKeys, IReadOnlyList<bool> discontinuities)
    {
        _boundBatch.Clear();
        for (int b = 0; b < sourceKeys.Count; b++)
        {
            _boundBatch.Add(States.Acquire(sourceKeys[b], discontinuities[b], transform.SourceWidth, transform.SourceHeight));
        }

        for (int i = 0; i < _adapter.States.Count; i++)
        {
            for (int b = 1; b < _boundBatch.Count; b++)
            {
                if (!_boundBatch[b].ShapeOf(i).SequenceEqual(_boundBatch[0].ShapeOf(i)))
                {
                    _boundBatch.Clear();
                    return false;
                }
            }
        }

        for (int i = 0; i < _adapter.States.Count; i++)
        {
            IReadOnlyList<long> row = _boundBatch[0].ShapeOf(i);
            long[] shape = [.. row];
            shape[0] = checked(row[0] * _boundBatch.Count);
            PooledTensor stacked = _stacks.Rent(shape, TensorElement.Float32);
            _stacked.Add(stacked);
            Span<float> into = stacked.Floats!.AsSpan();
            int per = _boundBatch[0].DataOf(i).Length;
            for (int b = 0; b < _boundBatch.Count; b++)
            {
                _boundBatch[b].DataOf(i).CopyTo(into.Slice(b * per, per));
            }

            session.BindInput(_adapter.States[i].Input, stacked.Value);
        }

        BindExtras(session, transform);
        return true;
    }

    /// <summary>Copies each frame's state outputs (<paramref name="outputs"/>, in the order of <see cref="BindBatch"/>) into its source's state and counts the frame.</summary>
    public void OnBatchOutputs(IReadOnlyList<ModelOutput> outputs)
    {
        for (int b = 0; b < _boundBatch.Count; b++)
        {
            RawTensor[] tensors = outputs[b].Tensors;
            for (int i = 0; i < _stateOutputIndex.Length; i++)
            {
                RawTensor row = tensors[_stateOutputIndex[i]];
                _boundBatch[b].Update(i, row.Shape, row.Span);
            }

            _boundBatch[b].Advance();
        }
    }

    /// <summary>Ends a batch run: returns the stacked states to their pool and forgets one-off (negative) sources.</summary>
    public void UnbindBatch(IReadOnlyList<int> sourceKeys)
    {
        foreach (PooledTensor t in _stacked)
        {
            t.Dispose();
        }

        _stacked.Clear();
        _boundBatch.Clear();
        foreach (int key in sourceKeys)
        {
            if (key < 0)
            {
                States.Remove(key);
            }
        }
    }

    private void BindExtras(ModelSession session, in LetterboxTransform transform)
    {
        IReadOnlyList<RawTensor> extras = _adapter.ExtraInputs(transform.SourceWidth, transform.SourceHeight);
        for (int i = 0; i < extras.Count; i++)
        {
            RawTensor extra = extras[i];
            if (!_extraValues.TryGetValue(extra, out OrtValue? value))
            {
                // Created once per distinct tensor (the adapter returns the same ones for the same frame size).
                value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, extra.Data, extra.Shape);
                _extraValues[extra] = value;
            }

            session.BindInput(extra.Name, value);
        }
    }

    /// <summary>Copies the state outputs of the run into the bound state and counts the frame.</summary>
    public void OnOutputs(IReadOnlyList<OrtValue?> outputs)
    {
        if (_bound is null)
        {
            return;
        }

        for (int i = 0; i < _stateOutputIndex.Length; i++)
        {
            _bound.Update(i, outputs[_stateOutputIndex[i]]!);
        }

        _bound.Advance();
    }

    /// <summary>Ends the run of <paramref name="sourceKey"/>: a negative key's one-off state is not kept.</summary>
    public void Unbind(int sourceKey)
    {
        _bound = null;
        if (sourceKey < 0)
        {
            States.Remove(sourceKey);
        }
    }

    /// <summary>Releases the states and the extra inputs' values.</summary>
    public void Dispose()
    {
        States.Dispose();
        _stacks.Dispose();
        foreach (OrtValue v in _extraValues.Values)
        {
            v.Dispose();
        }
    }
}
