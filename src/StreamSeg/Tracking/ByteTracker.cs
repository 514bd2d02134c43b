using System.Diagnostics;
using System.Globalization;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tracking;

/// <summary>
/// Assigns persistent track ids to the detections of one video source with ByteTrack (Zhang et al., 2022):
/// IoU association of high-score detections, then of low-score ones, over Kalman-predicted boxes.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="Update"/> call is one frame and follows ifzhang/ByteTrack's <c>BYTETracker.update</c> (commit
/// d1bf019) rule for rule; with the default options its ids, its track lists and its Kalman boxes are upstream's
/// (tested against upstream's own outputs):
/// </para>
/// <list type="number">
/// <item>Detections scoring above <see cref="ByteTrackerOptions.TrackHighThreshold"/> are high; those above
/// <see cref="ByteTrackerOptions.TrackLowThreshold"/> and below the high threshold are low; the rest (a score equal
/// to the high threshold included) are ignored.</item>
/// <item>Confirmed tracked tracks, then lost tracks, are Kalman-predicted (lost ones with their height velocity
/// cleared) and matched to the high detections on the cost 1 − IoU·score (1 − IoU without
/// <see cref="ByteTrackerOptions.FuseScore"/>), limit <see cref="ByteTrackerOptions.MatchThreshold"/>. IoU uses
/// upstream's +1 pixel convention. A matched lost track is found again and keeps its id.</item>
/// <item>Tracked tracks still unmatched are matched to the low detections on 1 − IoU, limit 0.5; those still
/// unmatched become lost.</item>
/// <item>Unconfirmed tracks (born on the previous frame) are matched to the high detections left over, limit 0.7;
/// matched ones are confirmed and the others removed.</item>
/// <item>Each remaining high detection scoring at least <see cref="ByteTrackerOptions.EffectiveNewTrackThreshold"/>
/// starts a track with the next id (1, 2, …): ids are given at birth, so a track that is never confirmed leaves a gap
/// (<see cref="ByteTrackerOptions.ConfirmedIds"/> numbers confirmed tracks only). A track is confirmed at once on the
/// first frame, and otherwise only when it is matched on the next frame.</item>
/// <item>Lost tracks unmatched for more than <see cref="ByteTrackerOptions.MaxTimeLost"/> frames are removed; as
/// upstream, such a track stays in the lost list (and matchable) until the end of the next frame, and one that was
/// found again then leaves the lost list on the frame it is next lost. A tracked and a lost track whose boxes overlap
/// with IoU &gt; 0.85 are duplicates: the one with the shorter history is dropped.</item>
/// </list>
/// <para>
/// Association is class-agnostic: the output carries the class of the matched detection. The result holds exactly the
/// confirmed tracks matched on this frame, ordered by track id, each with its detection taken with
/// <see cref="Instances.Select"/> (score, class, mask and keypoints) and the track's Kalman box, as upstream reports it
/// (<see cref="ByteTrackerOptions.ReportDetectionBoxes"/> keeps the detection box). <see cref="CopyTracks"/> gives
/// the full state (unconfirmed and lost tracks, matched detection indices, boxes in double precision).
/// </para>
/// <para>
/// Dropped frames, an addition to upstream: when <see cref="FrameMetadata.Discontinuity"/> is set, the tracker predicts
/// every track across the gap rather than widening its gates. The gap is the jump in <see cref="FrameMetadata.Index"/>
/// since the previous call when that jump is more than one frame (at most <see cref="ByteTrackerOptions.MaxTimeLost"/>
/// + 1 prediction steps are run); otherwise one extra step is assumed. The tracker's frame clock advances by the same
/// amount, so the buffer counts source frames, dropped ones included. Without the flag each call is one frame, as
/// upstream, and <see cref="FrameMetadata.Index"/> is not used.
/// </para>
/// <para>
/// Options cannot change while running. An instance tracks one source (see <see cref="MultiSourceTracker"/> for
/// several) and is not thread-safe. Per-frame work reuses the tracker's scratch buffers; only the result and new
/// tracks are allocated.
/// </para>
/// <code>
/// var tracker = new ByteTracker(new ByteTrackerOptions { TrackHighThreshold = 0.25f, FrameRate = 10 });
/// Instances tracked = tracker.Update(detections, frame.Metadata);
/// </code>
/// </remarks>
public sealed class ByteTracker
{
    // Upstream's fixed limits, as the float64 literals of its Python source.
    private const double SecondMatchThreshold = 0.5;
    private const double UnconfirmedMatchThreshold = 0.7;
    private const double DuplicateDistance = 0.15;

    private readonly ByteTrackerOptions _options;
    private readonly float _newTrackThreshold;
    private readonly double _matchThreshold;
    private readonly int _maxTimeLost;

    // Upstream's tracked_stracks (confirmed and unconfirmed) and lost_stracks, in upstream's order.
    private readonly List<Track> _tracked = [];
    private readonly List<Track> _lost = [];

    // Scratch lists and arrays, cleared and reused every frame.
    private readonly List<Track> _pool = [];
    private readonly List<Track> _unconfirmed = [];
    private readonly List<Track> _remaining = [];
    private readonly List<Track> _activated = [];
    private readonly List<Track> _refound = [];
    private readonly List<Track> _newLost = [];
    private readonly List<Track> _newRemoved = [];
    private readonly List<Track> _output = [];
    private readonly List<int> _high = [];
    private readonly List<int> _low = [];
    private readonly List<int> _leftoverHigh = [];
    private readonly List<int> _leftoverLow = [];
    private readonly List<int> _newDetections = [];
    private bool[] _dropTracked = [];
    private bool[] _dropLost = [];
    private double[] _costs = [];
    private int[] _rowToColumn = [];
    private int[] _columnToRow = [];
    private int[] _outputIndices = [];

    private int _nextId = 1;
    private int _nextConfirmedId = 1;
    private long _frame;
    private long _lastIndex;

    /// <summary>Creates a tracker; throws when <paramref name="options"/> are out of range.</summary>
    public ByteTracker(ByteTrackerOptions options)
    {
        ValidateOptions(options);
        _options = options;
        _newTrackThreshold = options.EffectiveNewTrackThreshold;

        // Upstream compares float64 costs with the float64 0.8 its arguments hold; the option's shortest decimal
        // (0.8f prints as "0.8") gives that same double.
        _matchThreshold = double.Parse(options.MatchThreshold.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        _maxTimeLost = options.MaxTimeLost;
    }

    /// <summary>Gets the tracker's settings.</summary>
    public ByteTrackerOptions Options => _options;

    /// <summary>Gets the tracker's frame number of the last update (1 for the first, as upstream's <c>frame_id</c>).</summary>
    public long FrameNumber => _frame;

    /// <summary>Assigns track ids to the detections of the next frame of the source.</summary>
    /// <param name="detections">The frame's detections; not modified.</param>
    /// <param name="meta">The frame's metadata; <see cref="FrameMetadata.Discontinuity"/> and <see cref="FrameMetadata.Index"/> are read.</param>
    /// <returns>The confirmed tracks matched on this frame, ordered by track id, with <see cref="Instances.TrackIds"/> set.</returns>
    public Instances Update(Instances detections, FrameMetadata meta)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(meta);

        int steps = AdvanceClock(meta);
        long frame = _frame;
        BoxF[] boxes = detections.Boxes;
        float[] scores = detections.Scores;

        // Split the detections by score, strictly on both sides as upstream. NaN scores fail every test.
        _high.Clear();
        _low.Clear();
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (s > _options.TrackHighThreshold)
            {
                _high.Add(i);
            }
            else if (s > _options.TrackLowThreshold && s < _options.TrackHighThreshold)
            {
                _low.Add(i);
            }
        }

        // The pool is confirmed tracked tracks, then lost ones; unconfirmed ones are matched later and not predicted.
        _pool.Clear();
        _unconfirmed.Clear();
        _activated.Clear();
        _refound.Clear();
        _newLost.Clear();
        _newRemoved.Clear();
        foreach (Track t in _tracked)
        {
            t.DetectionIndex = -1;
            (t.IsActivated ? _pool : _unconfirmed).Add(t);
        }

        foreach (Track t in _lost)
        {
            t.DetectionIndex = -1;
            _pool.Add(t);
        }

        foreach (Track t in _pool)
        {
            if (t.State != TrackState.Tracked)
            {
                t.Filter.ClearHeightVelocity();
            }

            for (int s = 0; s < steps; s++)
            {
                t.Filter.Predict();
            }
        }

        // First association: the pool against the high detections.
        Associate(_pool, detections, _high, _options.FuseScore, _matchThreshold, frame, _leftoverHigh);

        // Second association: tracked tracks left over (lost ones take no part) against the low detections.
        _remaining.Clear();
        foreach (Track t in _pool)
        {
            if (t.DetectionIndex < 0 && t.State == TrackState.Tracked)
            {
                _remaining.Add(t);
            }
        }

        Associate(_remaining, detections, _low, fuseScore: false, SecondMatchThreshold, frame, _leftoverLow);
        foreach (Track t in _remaining)
        {
            if (t.DetectionIndex < 0)
            {
                t.State = TrackState.Lost;
                _newLost.Add(t);
            }
        }

        // Unconfirmed tracks against the high detections left over; an unconfirmed track gets one chance only.
        Associate(_unconfirmed, detections, _leftoverHigh, _options.FuseScore, UnconfirmedMatchThreshold, frame, _newDetections);
        foreach (Track t in _unconfirmed)
        {
            if (t.DetectionIndex < 0)
            {
                t.State = TrackState.Removed;
                _newRemoved.Add(t);
            }
        }

        foreach (int d in _newDetections)
        {
            if (!(scores[d] < _newTrackThreshold))
            {
                BoxF b = boxes[d];
                _activated.Add(new Track(_nextId++, b.X1, b.Y1, b.X2, b.Y2, scores[d], detections.ClassIds[d], d, frame, activated: frame == 1));
            }
        }

        foreach (Track t in _lost)
        {
            if (frame - t.LastFrame > _maxTimeLost)
            {
                t.State = TrackState.Removed;
                _newRemoved.Add(t);
            }
        }

        UpdateLists();
        RemoveDuplicates();
        return BuildOutput(detections);
    }

    /// <summary>
    /// Appends every live track to <paramref name="destination"/>: upstream's tracked list (confirmed and unconfirmed,
    /// in upstream's order), then its lost list, as they stand after the last <see cref="Update"/>.
    /// </summary>
    public void CopyTracks(List<TrackSnapshot> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (Track t in _tracked)
        {
            t.Filter.GetBox(out double x1, out double y1, out double x2, out double y2);
            var status = t.IsActivated ? TrackStatus.Confirmed : TrackStatus.Unconfirmed;
            destination.Add(new TrackSnapshot(ReportedId(t), status, x1, y1, x2, y2, t.Score, t.DetectionIndex, t.LastFrame, TimedOut: false));
        }

        foreach (Track t in _lost)
        {
            t.Filter.GetBox(out double x1, out double y1, out double x2, out double y2);
            destination.Add(new TrackSnapshot(ReportedId(t), TrackStatus.Lost, x1, y1, x2, y2, t.Score, -1, t.LastFrame, t.State == TrackState.Removed));
        }
    }

    /// <summary>Forgets every track and restarts the ids at 1, as for a new source.</summary>
    public void Reset()
    {
        _tracked.Clear();
        _lost.Clear();
        _nextId = 1;
        _nextConfirmedId = 1;
        _frame = 0;
        _lastIndex = 0;
    }

    /// <summary>Throws when <paramref name="options"/> is null or out of range.</summary>
    internal static void ValidateOptions(ByteTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfNotUnit(options.TrackHighThreshold, nameof(options.TrackHighThreshold));
        ThrowIfNotUnit(options.TrackLowThreshold, nameof(options.TrackLowThreshold));
        if (options.NewTrackThreshold is float newTrack)
        {
            ThrowIfNotUnit(newTrack, nameof(options.NewTrackThreshold));
        }

        ThrowIfNotUnit(options.MatchThreshold, nameof(options.MatchThreshold));
        ArgumentOutOfRangeException.ThrowIfNegative(options.TrackBuffer, nameof(options.TrackBuffer));
        if (!(options.FrameRate > 0 && options.FrameRate < 10_000))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FrameRate, $"{nameof(options.FrameRate)} must be a positive number of frames per second.");
        }

        if (options.TrackLowThreshold > options.TrackHighThreshold)
        {
            // The pair is out of range, not one value: the argument at fault is the options object.
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.TrackLowThreshold,
                $"{nameof(options.TrackLowThreshold)} must not exceed {nameof(options.TrackHighThreshold)} ({options.TrackHighThreshold}).");
        }
    }

    /// <summary>IoU of two [x1, y1, x2, y2] boxes with the +1 pixel convention of upstream's <c>cython_bbox.bbox_overlaps</c> (a's area first, as there).</summary>
    internal static double IoUPlusOne(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2)
    {
        double iw = Math.Min(ax2, bx2) - Math.Max(ax1, bx1) + 1;
        if (!(iw > 0))
        {
            return 0;
        }

        double ih = Math.Min(ay2, by2) - Math.Max(ay1, by1) + 1;
        if (!(ih > 0))
        {
            return 0;
        }

        double bArea = (bx2 - bx1 + 1) * (by2 - by1 + 1);
        double ua = ((ax2 - ax1 + 1) * (ay2 - ay1 + 1)) + bArea - (iw * ih);
        return iw * ih / ua;
    }

    private static void ThrowIfNotUnit(float value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");
        }
    }

    private int ReportedId(Track t) => _options.ConfirmedIds ? t.ConfirmedId : t.Id;

    // Advances the frame clock and returns how many Kalman prediction steps this frame needs.
    private int AdvanceClock(FrameMetadata meta)
    {
        int steps = 1;
        if (_frame == 0)
        {
            _frame = 1;
        }
        else if (meta.Discontinuity)
        {
            long gap = meta.Index - _lastIndex;
            if (gap < 2)
            {
                // The index shows no gap (or is not maintained by the source): assume one dropped frame.
                gap = 2;
            }

            _frame += gap;
            steps = (int)Math.Min(gap, Math.Max(2L, _maxTimeLost + 1L));
        }
        else
        {
            _frame++;
        }

        _lastIndex = meta.Index;
        return steps;
    }

    // Matches tracks to the candidate detections as upstream's linear_assignment (lapjv with a cost limit), updates the
    // matched tracks (found-again ones go to _refound, the others to _activated, in row order), and puts the candidates
    // left unmatched in unmatchedDetections, in their original order.
    private void Associate(
        List<Track> tracks,
        Instances detections,
        List<int> candidates,
        bool fuseScore,
        double threshold,
        long frame,
        List<int> unmatchedDetections)
    {
        unmatchedDetections.Clear();
        int rows = tracks.Count;
        int columns = candidates.Count;
        if (rows == 0 || columns == 0)
        {
            unmatchedDetections.AddRange(candidates);
            return;
        }

        BoxF[] boxes = detections.Boxes;
        float[] scores = detections.Scores;
        EnsureLength(ref _costs, rows * columns);
        EnsureLength(ref _rowToColumn, rows);
        EnsureLength(ref _columnToRow, columns);
        for (int r = 0; r < rows; r++)
        {
            tracks[r].Filter.GetBox(out double x1, out double y1, out double x2, out double y2);
            for (int c = 0; c < columns; c++)
            {
                int d = candidates[c];
                BoxF b = boxes[d];

                // matching.iou_distance, then fuse_score: the same operations in the same order.
                double cost = 1 - IoUPlusOne(x1, y1, x2, y2, b.X1, b.Y1, b.X2, b.Y2);
                if (fuseScore)
                {
                    cost = 1 - ((1 - cost) * scores[d]);
                }

                _costs[(r * columns) + c] = cost;
            }
        }

        LinearAssignment.Solve(_costs.AsSpan(0, rows * columns), rows, columns, threshold, _rowToColumn, _columnToRow);
        for (int r = 0; r < rows; r++)
        {
            int c = _rowToColumn[r];
            if (c >= 0)
            {
                Track t = tracks[r];
                int d = candidates[c];
                BoxF b = boxes[d];
                (t.State == TrackState.Tracked ? _activated : _refound).Add(t);
                t.Match(b.X1, b.Y1, b.X2, b.Y2, scores[d], detections.ClassIds[d], d, frame);
            }
        }

        for (int c = 0; c < columns; c++)
        {
            if (_columnToRow[c] < 0)
            {
                unmatchedDetections.Add(candidates[c]);
            }
        }
    }

    // Upstream's list upkeep, in its order. Lists are joined and subtracted by track, which is the same as by id.
    private void UpdateLists()
    {
        // tracked = [t for t in tracked if t.state == Tracked]; then joint with activated, then with refound.
        _tracked.RemoveAll(static t => t.State != TrackState.Tracked);
        foreach (Track t in _activated)
        {
            if (!_tracked.Contains(t))
            {
                _tracked.Add(t);
            }
        }

        foreach (Track t in _refound)
        {
            if (!_tracked.Contains(t))
            {
                _tracked.Add(t);
            }
        }

        // lost = sub(lost, tracked); lost += new lost; lost = sub(lost, removed) — with the removed list as it was
        // *before* this frame's removals are added, so a track that timed out now stays one more frame.
        _lost.RemoveAll(static t => t.State == TrackState.Tracked);
        _lost.AddRange(_newLost);
        _lost.RemoveAll(static t => t.InRemovedList);
        foreach (Track t in _newRemoved)
        {
            t.InRemovedList = true;
        }
    }

    // Upstream's remove_duplicate_stracks: a tracked and a lost track with IoU distance < 0.15 are one object seen
    // twice; the one with the shorter history goes (the tracked one on a tie). All pairs are judged before any track
    // is dropped, and dropped tracks simply leave the lists.
    private void RemoveDuplicates()
    {
        if (_tracked.Count == 0 || _lost.Count == 0)
        {
            return;
        }

        EnsureLength(ref _dropTracked, _tracked.Count);
        EnsureLength(ref _dropLost, _lost.Count);
        Array.Clear(_dropTracked, 0, _tracked.Count);
        Array.Clear(_dropLost, 0, _lost.Count);
        bool any = false;
        for (int p = 0; p < _tracked.Count; p++)
        {
            Track a = _tracked[p];
            a.Filter.GetBox(out double ax1, out double ay1, out double ax2, out double ay2);
            for (int q = 0; q < _lost.Count; q++)
            {
                Track b = _lost[q];
                b.Filter.GetBox(out double bx1, out double by1, out double bx2, out double by2);
                if (1 - IoUPlusOne(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2) >= DuplicateDistance)
                {
                    continue;
                }

                any = true;
                long timeP = a.LastFrame - a.StartFrame;
                long timeQ = b.LastFrame - b.StartFrame;
                if (timeP > timeQ)
                {
                    _dropLost[q] = true;
                }
                else
                {
                    _dropTracked[p] = true;
                }
            }
        }

        if (any)
        {
            Compact(_tracked, _dropTracked);
            Compact(_lost, _dropLost);
        }
    }

    private static void Compact(List<Track> list, bool[] drop)
    {
        int kept = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (!drop[i])
            {
                list[kept++] = list[i];
            }
        }

        list.RemoveRange(kept, list.Count - kept);
    }

    private Instances BuildOutput(Instances detections)
    {
        // Confirmed tracks, sorted by id by insertion (a handful per frame, mostly in order already).
        _output.Clear();
        foreach (Track t in _tracked)
        {
            if (!t.IsActivated)
            {
                continue;
            }

            Debug.Assert(t.DetectionIndex >= 0, "A confirmed tracked track was matched on this frame.");
            int j = _output.Count;
            _output.Add(t);
            while (j > 0 && _output[j - 1].Id > t.Id)
            {
                _output[j] = _output[j - 1];
                j--;
            }

            _output[j] = t;
        }

        int n = _output.Count;
        EnsureLength(ref _outputIndices, n);
        var trackIds = new int[n];
        for (int j = 0; j < n; j++)
        {
            Track t = _output[j];
            if (t.ConfirmedId == 0)
            {
                // Upstream confirms a track exactly one frame after its birth, so first outputs come in birth order.
                t.ConfirmedId = _nextConfirmedId++;
            }

            trackIds[j] = ReportedId(t);
            _outputIndices[j] = t.DetectionIndex;
        }

        Instances result = detections.Select(_outputIndices.AsSpan(0, n), trackIds);
        if (!_options.ReportDetectionBoxes)
        {
            for (int j = 0; j < n; j++)
            {
                result.Boxes[j] = _output[j].Filter.Box;
            }
        }

        return result;
    }

    private static void EnsureLength<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }
}
