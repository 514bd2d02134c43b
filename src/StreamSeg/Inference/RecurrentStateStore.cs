namespace StreamSeg.Inference;

/// <summary>
/// The recurrent states of one model, one per source (keyed by the source's index in the run). A source's state
/// starts from zeros on its first frame and again after a discontinuity or a change of frame size.
/// </summary>
/// <remarks>One inference stage runs a model at a time; <see cref="Remove"/> may come from another thread (for a source whose frames no longer come). Holds at most one state per source.</remarks>
public sealed class RecurrentStateStore : IDisposable
{
    private readonly Dictionary<int, RecurrentState> _states = [];

    // Guards the dictionary: a source leaving a live pipeline is removed from another thread than the inference's.
    private readonly Lock _lock = new();
    private readonly int _count;
    private readonly IReadOnlyList<long> _initialShape;

    /// <summary>Creates the store for states of <paramref name="count"/> tensors starting as zeros of <paramref name="initialShape"/>.</summary>
    public RecurrentStateStore(int count, IReadOnlyList<long> initialShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(initialShape);
        _count = count;
        _initialShape = initialShape;
    }

    /// <summary>
    /// Gets or sets the full shape of state tensor <c>i</c> for frames of a size (see <see cref="RecurrentState"/>'s
    /// <c>zeroShape</c>): states made or reset from then on start as zeros at that shape. Null (the default): they
    /// start from the initial shape. Set before the run's first frame.
    /// </summary>
    public Func<int, int, int, IReadOnlyList<long>?>? ZeroShape { get; set; }

    /// <summary>Gets the number of sources with a state.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _states.Count;
            }
        }
    }

    /// <summary>
    /// Gets the state of <paramref name="sourceKey"/> for a frame of the given size: a new zero state for a new
    /// source, reset to zeros on <paramref name="discontinuity"/> or when the frame size changed.
    /// </summary>
    public RecurrentState Acquire(int sourceKey, bool discontinuity, int frameWidth, int frameHeight)
    {
        RecurrentState? state;
        lock (_lock)
        {
            if (!_states.TryGetValue(sourceKey, out state))
            {
                state = new RecurrentState(_count, _initialShape, ZeroShape);
                state.Reset(frameWidth, frameHeight);
                _states[sourceKey] = state;
                return state;
            }
        }

        if (discontinuity || state.FrameWidth != frameWidth || state.FrameHeight != frameHeight)
        {
            state.Reset(frameWidth, frameHeight);
        }

        return state;
    }

    /// <summary>Forgets the state of <paramref name="sourceKey"/> (for example when the source has ended).</summary>
    public bool Remove(int sourceKey)
    {
        RecurrentState? state;
        lock (_lock)
        {
            if (!_states.Remove(sourceKey, out state))
            {
                return false;
            }
        }

        state.Dispose();
        return true;
    }

    /// <summary>Releases every state.</summary>
    public void Dispose()
    {
        foreach (RecurrentState s in _states.Values)
        {
            s.Dispose();
        }

        _states.Clear();
    }
}
