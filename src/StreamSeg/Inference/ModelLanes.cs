namespace StreamSeg.Inference;

/// <summary>
/// Runs the model entries of one frame (or one batch) side by side: each distinct <see cref="OnnxModel"/> belongs to
/// one lane, lanes run concurrently, and the entries of a lane run one after another in entry order. Used by
/// <see cref="InferenceStage"/> and by <c>streamseg bench</c>.
/// </summary>
/// <remarks>
/// <para>Entries that share one <see cref="OnnxModel"/> instance (one session run at two input sizes, for example) are
/// always put on the same lane: a model is not thread-safe (one binding per session), so it never runs on two lanes at
/// once. With a concurrency of 1, or a single distinct model, everything runs on the calling thread, as before.</para>
/// <para>The first lane runs on the calling thread; every other lane has a dedicated thread, started once and woken
/// per call, so that a run neither allocates per frame nor waits for the thread pool to grow (the pipeline's stages
/// hold its few threads on a small machine). A call returns when every lane is done. One caller at a time.</para>
/// <para>With fewer lanes than models (the cores allow fewer lanes than a frame has models), the models are first dealt
/// round-robin, then, after <see cref="MeasuredCalls"/> calls, dealt again by the time each took (longest first, each
/// to the least loaded lane), so that a frame's slowest lane finishes as early as it can: the people preset's MoveNet at
/// 512 and 256 share one lane and RVM has the other, instead of RVM waiting behind a MoveNet.</para>
/// </remarks>
public sealed class ModelLanes : IDisposable
{
    /// <summary>How many calls after the first (its time is mostly ONNX Runtime's first-run planning) are timed before the models are dealt again.</summary>
    public const int MeasuredCalls = 4;

    private readonly List<List<int>> _groups;
    private readonly long[] _entryTicks;
    private readonly bool _dealByTime;
    private readonly Thread[] _threads;
    private int[][] _lanes;
    private int _calls;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private readonly Exception?[] _faults;
    private Action<int>? _runEntry;
    private volatile bool _disposed;

    /// <summary>Assigns <paramref name="models"/> (the entries, in order) to lanes.</summary>
    /// <param name="models">The entries; the same instance may appear more than once.</param>
    /// <param name="concurrency">The most lanes: 1 runs every entry in sequence; 0 gives every distinct model its own lane.</param>
    public ModelLanes(IReadOnlyList<OnnxModel> models, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfNegative(concurrency);
        _groups = Distinct(models);
        _entryTicks = new long[models.Count];
        _lanes = Deal(_groups, LaneCount(models, concurrency), null);
        _dealByTime = _groups.Count > _lanes.Length;
        _faults = new Exception?[models.Count];
        _start = new SemaphoreSlim[_lanes.Length - 1];
        _threads = new Thread[_lanes.Length - 1];
        _done = new CountdownEvent(1);
        for (int i = 0; i < _threads.Length; i++)
        {
            _start[i] = new SemaphoreSlim(0);
            int lane = i + 1;
            _threads[i] = new Thread(() => Work(lane)) { IsBackground = true, Name = $"inference-lane-{lane}" };
            _threads[i].Start();
        }
    }

    /// <summary>Gets how many lanes run at once (1: in sequence).</summary>
    public int Count => _lanes.Length;

    /// <summary>Gets the entries of each lane, in the order they run (dealt again by time after <see cref="MeasuredCalls"/> calls).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Lanes => _lanes;

    /// <summary>Gets whether the models have been dealt to the lanes by their measured times (only done when lanes are fewer than models).</summary>
    public bool Balanced { get; private set; }

    /// <summary>
    /// Gets how many lanes <paramref name="models"/> get with <paramref name="concurrency"/> (see the constructor): the
    /// distinct instances, at most <paramref name="concurrency"/> when it is positive.
    /// </summary>
    public static int LaneCount(IReadOnlyList<OnnxModel> models, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(models);
        int distinct = Distinct(models).Count;
        return Math.Max(1, concurrency > 0 ? Math.Min(concurrency, distinct) : distinct);
    }

    /// <summary>
    /// Calls <paramref name="runEntry"/> once for every entry index: concurrently across lanes, in entry order within
    /// one. Returns when all lanes are done. When entries fail, the fault of the lowest entry is rethrown (after every
    /// lane has stopped, so that nothing still uses the inputs); a failed entry skips the rest of its lane.
    /// </summary>
    public void Run(Action<int> runEntry)
    {
        ArgumentNullException.ThrowIfNull(runEntry);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_threads.Length == 0)
        {
            // In sequence: the entry's own exception, with its own stack, straight to the caller.
            foreach (int entry in _lanes[0])
            {
                runEntry(entry);
            }

            return;
        }

        Array.Clear(_faults);
        _calls++;
        _runEntry = runEntry;
        _done.Reset(_threads.Length);
        foreach (SemaphoreSlim start in _start)
        {
            start.Release();
        }

        RunLane(0);
        _done.Wait();
        _runEntry = null;
        foreach (Exception? fault in _faults)
        {
            if (fault is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
            }
        }

        if (_dealByTime && !Balanced && _calls == MeasuredCalls + 1)
        {
            // Every lane is idle between calls: the next call runs on the new deal.
            _lanes = Deal(_groups, _lanes.Length, _entryTicks);
            Balanced = true;
        }
    }

    /// <summary>Stops the lane threads (after the call in progress, if any).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (SemaphoreSlim start in _start)
        {
            start.Release();
        }

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        foreach (SemaphoreSlim start in _start)
        {
            start.Dispose();
        }

        _done.Dispose();
    }

    private void Work(int lane)
    {
        SemaphoreSlim start = _start[lane - 1];
        while (true)
        {
            start.Wait();
            if (_disposed)
            {
                return;
            }

            RunLane(lane);
            _done.Signal();
        }
    }

    private void RunLane(int lane)
    {
        Action<int> runEntry = _runEntry!;
        bool timed = _dealByTime && !Balanced && _calls > 1;
        foreach (int entry in _lanes[lane])
        {
            try
            {
                long start = timed ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                runEntry(entry);
                if (timed)
                {
                    // Per entry; summed per model when the models are dealt again (entries of one model share a lane).
                    _entryTicks[entry] += System.Diagnostics.Stopwatch.GetTimestamp() - start;
                }
            }
            catch (Exception ex)
            {
                // Kept for the caller, which rethrows it once every lane has stopped.
                _faults[entry] = ex;
                return;
            }
        }
    }

    /// <summary>
    /// Deals the groups (entry indices of one instance) to <paramref name="lanes"/> lanes: round-robin in first
    /// appearance order when <paramref name="entryTicks"/> is null; else longest group first, each to the lane with the
    /// least time so far (ties: the lower lane). Entries run in entry order within a lane.
    /// </summary>
    internal static int[][] Deal(List<List<int>> groups, int lanes, long[]? entryTicks)
    {
        var perLane = new List<int>[lanes];
        var load = new long[lanes];
        for (int l = 0; l < lanes; l++)
        {
            perLane[l] = [];
        }

        var order = new int[groups.Count];
        var cost = new long[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            order[g] = g;
            foreach (int entry in groups[g])
            {
                cost[g] += entryTicks?[entry] ?? 0;
            }
        }

        if (entryTicks is not null)
        {
            // Stable: equal times keep first appearance order.
            order = [.. order.OrderByDescending(g => cost[g])];
        }

        for (int i = 0; i < order.Length; i++)
        {
            int g = order[i];
            int lane = i % lanes;
            if (entryTicks is not null)
            {
                lane = 0;
                for (int l = 1; l < lanes; l++)
                {
                    if (load[l] < load[lane])
                    {
                        lane = l;
                    }
                }
            }

            perLane[lane].AddRange(groups[g]);
            load[lane] += cost[g];
        }

        var result = new int[lanes][];
        for (int l = 0; l < lanes; l++)
        {
            perLane[l].Sort();
            result[l] = [.. perLane[l]];
        }

        return result;
    }

    internal static List<List<int>> Distinct(IReadOnlyList<OnnxModel> models)
    {
        var groups = new List<List<int>>();
        var owners = new List<OnnxModel>();
        for (int i = 0; i < models.Count; i++)
        {
            int g = owners.FindIndex(o => ReferenceEquals(o, models[i]));
            if (g < 0)
            {
                owners.Add(models[i]);
                groups.Add([i]);
            }
            else
            {
                groups[g].Add(i);
            }
        }

        return groups;
    }
}
