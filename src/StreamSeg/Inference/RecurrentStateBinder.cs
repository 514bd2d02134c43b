using Microsoft.ML.OnnxRuntime;
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
/// <para>One source per run today. Batching recurrent models across streams (stacking several sources' states along
/// the batch axis and splitting the state outputs back) extends <see cref="Bind"/> to a list of sources and
/// <see cref="OnOutputs"/> to scatter one row per source; the store already keeps one state per source.</para>
/// </remarks>
internal sealed class RecurrentStateBinder : IOutputObserver, IDisposable
{
    private readonly IRecurrentAdapter _adapter;
    private readonly int[] _stateOutputIndex;
    private readonly Dictionary<RawTensor, OrtValue> _extraValues = new(ReferenceEqualityComparer.Instance);
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

        _bound = state;
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
        foreach (OrtValue v in _extraValues.Values)
        {
            v.Dispose();
        }
    }
}
