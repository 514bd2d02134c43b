namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// Accumulates tracking events frame by frame from ground-truth ids, hypothesis ids and their distance matrix, exactly
/// as py-motmetrics' <c>MOTAccumulator.update</c>; <see cref="Summarize"/> computes its metrics.
/// </summary>
/// <remarks>
/// Per frame: (1) every ground truth that was matched at the previous update keeps its hypothesis if that hypothesis is
/// present at a finite distance; (2) the rest are paired by one assignment that first maximises the number of pairs at
/// finite distance and then minimises their total distance (<c>add_expensive_edges</c> + Hungarian); a pairing that
/// differs from the ground truth's last pairing, however long ago, is a switch; (3) unpaired ground truth are misses,
/// (4) unpaired hypotheses false positives. NaN distances forbid a pair; any finite distance may pair.
/// </remarks>
public sealed class MotAccumulator
{
    private readonly List<MotEvent> _events = [];
    private readonly HashSet<long> _frames = [];
    private readonly Dictionary<int, int> _objectFrames = [];
    private readonly Dictionary<int, int> _hypothesisFrames = [];
    private readonly Dictionary<(int Object, int Hypothesis), int> _finitePairs = [];
    private readonly Dictionary<int, int> _m = [];
    private readonly Dictionary<int, int> _resM = [];
    private readonly Dictionary<int, long> _lastMatch = [];
    private readonly HashSet<int> _hypothesisHistory = [];
    private long? _lastUpdateFrame;

    /// <summary>Gets the events so far, in order (MATCH, SWITCH, MISS, FP and the TRANSFER/ASCEND/MIGRATE extras).</summary>
    public IReadOnlyList<MotEvent> Events => _events;

    /// <summary>Adds one frame.</summary>
    /// <param name="objectIds">The ground-truth ids present.</param>
    /// <param name="hypothesisIds">The hypothesis ids present.</param>
    /// <param name="distances">Row-major objects × hypotheses distances; NaN forbids a pair.</param>
    /// <param name="frame">The frame id; each update needs a new one.</param>
    public void Update(ReadOnlySpan<int> objectIds, ReadOnlySpan<int> hypothesisIds, ReadOnlySpan<double> distances, long frame)
    {
        int no = objectIds.Length, nh = hypothesisIds.Length;
        if (distances.Length != no * nh)
        {
            throw new ArgumentException($"The distance matrix has {distances.Length} entries; expected {no}×{nh}.", nameof(distances));
        }

        if (!_frames.Add(frame))
        {
            throw new ArgumentException($"Frame {frame} was already added.", nameof(frame));
        }

        double[] dist = distances.ToArray();
        RecordRaw(objectIds, hypothesisIds, dist);
        var objectDone = new bool[no];
        var hypothesisDone = new bool[nh];
        if (no > 0 && nh > 0)
        {
            CarryForward(objectIds, hypothesisIds, dist, objectDone, hypothesisDone, frame);
            AssignRest(objectIds, hypothesisIds, dist, objectDone, hypothesisDone, frame);
        }

        for (int i = 0; i < no; i++)
        {
            if (!objectDone[i])
            {
                _events.Add(new MotEvent(frame, MotEventType.Miss, objectIds[i], null, double.NaN));
            }
        }

        for (int j = 0; j < nh; j++)
        {
            if (!hypothesisDone[j])
            {
                _events.Add(new MotEvent(frame, MotEventType.FalsePositive, null, hypothesisIds[j], double.NaN));
            }
        }

        _lastUpdateFrame = frame;
    }

    /// <summary>Computes py-motmetrics' metrics over the frames added so far.</summary>
    public MotMetricsSummary Summarize() => MotMetricsSummary.FromEvents(_events, _frames.Count, _objectFrames, _hypothesisFrames, _finitePairs);

    private void RecordRaw(ReadOnlySpan<int> objectIds, ReadOnlySpan<int> hypothesisIds, double[] dist)
    {
        // Frames in which each id appears, and frames in which each pair had a finite distance (the identity metrics' input).
        foreach (int o in objectIds)
        {
            _objectFrames[o] = _objectFrames.GetValueOrDefault(o) + 1;
        }

        foreach (int h in hypothesisIds)
        {
            _hypothesisFrames[h] = _hypothesisFrames.GetValueOrDefault(h) + 1;
        }

        for (int i = 0; i < objectIds.Length; i++)
        {
            for (int j = 0; j < hypothesisIds.Length; j++)
            {
                if (double.IsFinite(dist[(i * hypothesisIds.Length) + j]))
                {
                    var key = (objectIds[i], hypothesisIds[j]);
                    _finitePairs[key] = _finitePairs.GetValueOrDefault(key) + 1;
                }
            }
        }
    }

    private void CarryForward(ReadOnlySpan<int> objectIds, ReadOnlySpan<int> hypothesisIds, double[] dist, bool[] objectDone, bool[] hypothesisDone, long frame)
    {
        int nh = hypothesisIds.Length;
        for (int i = 0; i < objectIds.Length; i++)
        {
            int o = objectIds[i];
            if (!_m.TryGetValue(o, out int previous) || _lastMatch[o] != _lastUpdateFrame)
            {
                continue;
            }

            int j = -1;
            for (int c = 0; c < nh; c++)
            {
                if (!hypothesisDone[c] && hypothesisIds[c] == previous)
                {
                    j = c;
                    break;
                }
            }

            if (j >= 0 && double.IsFinite(dist[(i * nh) + j]))
            {
                objectDone[i] = true;
                hypothesisDone[j] = true;
                _events.Add(new MotEvent(frame, MotEventType.Match, o, previous, dist[(i * nh) + j]));
                _lastMatch[o] = frame;
                _hypothesisHistory.Add(previous);
            }
        }
    }

    private void AssignRest(ReadOnlySpan<int> objectIds, ReadOnlySpan<int> hypothesisIds, double[] dist, bool[] objectDone, bool[] hypothesisDone, long frame)
    {
        int no = objectIds.Length, nh = hypothesisIds.Length;
        var masked = (double[])dist.Clone();
        for (int i = 0; i < no; i++)
        {
            for (int j = 0; j < nh; j++)
            {
                if (objectDone[i] || hypothesisDone[j])
                {
                    masked[(i * nh) + j] = double.NaN;
                }
            }
        }

        int[]? rowToColumn = SolveWithExpensiveEdges(masked, no, nh);
        if (rowToColumn is null)
        {
            return;
        }

        for (int i = 0; i < no; i++)
        {
            int j = rowToColumn[i];
            if (j < 0 || !double.IsFinite(masked[(i * nh) + j]))
            {
                continue;
            }

            int o = objectIds[i], h = hypothesisIds[j];
            double d = masked[(i * nh) + j];
            bool isSwitch = _m.TryGetValue(o, out int previous) && previous != h;
            if (isSwitch && !_hypothesisHistory.Contains(h))
            {
                _events.Add(new MotEvent(frame, MotEventType.Ascend, o, h, d));
            }

            if (_resM.TryGetValue(h, out int previousObject) && previousObject != o)
            {
                if (!_lastMatch.ContainsKey(o))
                {
                    _events.Add(new MotEvent(frame, MotEventType.Migrate, o, h, d));
                }

                _events.Add(new MotEvent(frame, MotEventType.Transfer, o, h, d));
            }

            _hypothesisHistory.Add(h);
            _lastMatch[o] = frame;
            _events.Add(new MotEvent(frame, isSwitch ? MotEventType.Switch : MotEventType.Match, o, h, d));
            objectDone[i] = true;
            hypothesisDone[j] = true;
            _m[o] = h;
            _resM[h] = o;
        }
    }

    // py-motmetrics' lap.add_expensive_edges: a forbidden pair costs 2·r·c + 1 (c = 1 + the largest |cost|), so an
    // assignment never trades a finite pair for a forbidden one; forbidden pairs are dropped afterwards.
    internal static int[]? SolveWithExpensiveEdges(double[] costs, int rows, int columns)
    {
        double c = double.NegativeInfinity;
        foreach (double v in costs)
        {
            if (double.IsFinite(v))
            {
                c = Math.Max(c, Math.Abs(v));
            }
        }

        if (double.IsNegativeInfinity(c))
        {
            return null;
        }

        double large = (2.0 * Math.Min(rows, columns) * (c + 1)) + 1;
        var finite = new double[costs.Length];
        var candidate = new bool[costs.Length];
        for (int k = 0; k < costs.Length; k++)
        {
            candidate[k] = double.IsFinite(costs[k]);
            finite[k] = candidate[k] ? costs[k] : large;
        }

        var rowToColumn = new int[rows];
        RectangularAssignment.MinimizeByComponents(finite, candidate, rows, columns, rowToColumn);
        return rowToColumn;
    }
}
