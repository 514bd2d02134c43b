using System.Diagnostics;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tracking;

/// <summary>
/// Assigns persistent track ids to the detections of one video source with ByteTrack (Zhang et al., 2022):
/// IoU association of high-score detections, then of low-score ones, over Kalman-predicted boxes.
/// </summary>
/// <remarks>
/// <para>
/// Each <see cref="Update"/> call is one frame and follows ifzhang/ByteTrack's <c>BYTETracker.update</c>:
/// </para>
/// <list type="number">
/// <item>Detections with score ≥ <see cref="ByteTrackerOptions.TrackHighThreshold"/> are high; those above
/// <see cref="ByteTrackerOptions.TrackLowThreshold"/> and below the high threshold are low; the rest are ignored.</item>
/// <item>Confirmed tracked tracks and lost tracks are Kalman-predicted (lost ones with their height velocity cleared)
/// and matched to the high detections on the cost 1 − IoU (1 − IoU·score with <see cref="ByteTrackerOptions.FuseScore"/>),
/// gated by <see cref="ByteTrackerOptions.MatchThreshold"/>. A matched lost track is found again and keeps its id.</item>
/// <item>Tracked tracks still unmatched are matched to the low detections on 1 − IoU, gated at 0.5; those still
/// unmatched become lost.</item>
/// <item>Unconfirmed tracks (born on the previous frame) are matched to the remaining high detections, gated at 0.7;
/// matched ones are confirmed and the others removed.</item>
/// <item>Each remaining high detection with score ≥ <see cref="ByteTrackerOptions.NewTrackThreshold"/> starts a track
/// with the next id (1, 2, …). It is confirmed at once on the first frame, and otherwise only when it is matched on
/// the next frame. Ids are given at birth, so a track that is never confirmed leaves a gap in the ids.</item>
/// <item>Lost tracks unmatched for more than <see cref="ByteTrackerOptions.TrackBuffer"/> frames are removed, and a
/// tracked and a lost track whose boxes overlap with IoU &gt; 0.85 are treated as duplicates: the younger is removed.</item>
/// </list>
/// <para>
/// Association is class-agnostic: a track may follow a detection whose class differs from the previous one, and the
/// output always carries the class of the detection. The result holds exactly the detections matched to a confirmed
/// track in this frame, ordered by track id, taken with <see cref="Instances.Select"/> so that their boxes (the
/// detection boxes, not the Kalman boxes), scores, classes, masks and keypoints travel with their track ids.
/// Detections that get no id are not in the result.
/// </para>
/// <para>
/// Dropped frames: when <see cref="FrameMetadata.Discontinuity"/> is set, the tracker predicts every track across
/// the gap rather than widening its gates, since with a constant-velocity model the prediction is where the object
/// should be. The gap is the jump in <see cref="FrameMetadata.Index"/> since the previous call when that jump is more
/// than one frame (at most <see cref="ByteTrackerOptions.TrackBuffer"/> + 1 prediction steps are run); otherwise one
/// extra step is assumed. The tracker's frame clock advances by the same amount, so
/// <see cref="ByteTrackerOptions.TrackBuffer"/> counts source frames, dropped ones included. Without the flag each
/// call is one frame and <see cref="FrameMetadata.Index"/> is not used. Velocities are per source frame, so the
/// tracker expects to see every frame that was not dropped.
/// </para>
/// <para>
/// Options cannot change while running. An instance tracks one source (see <see cref="MultiSourceTracker"/> for
/// several) and is not thread-safe. Per-frame work reuses the tracker's scratch buffers; only the result and new
/// tracks are allocated.
/// </para>
/// <code>
/// var tracker = new ByteTracker(new ByteTrackerOptions { TrackBuffer = 60, NewTrackThreshold = 0.7f });
/// Instances tracked = tracker.Update(detections, frame.Metadata);
/// </code>
/// </remarks>
public sealed class ByteTracker
{
    private const float SecondMatchThreshold = 0.5f;
    private const float UnconfirmedMatchThreshold = 0.7f;
    private const float DuplicateDistance = 0.15f;

    private readonly ByteTrackerOptions _options;

    // Every live track (tracked, unconfirmed and lost), in birth order and therefore in id order.
    private readonly List<Track> _tracks = [];

    // Scratch lists and arrays, cleared and reused every frame.
    private readonly List<Track> _pool = [];
    private readonly List<Track> _unconfirmed = [];
    private readonly List<Track> _remaining = [];
    private readonly List<Track> _duplicates = [];
    private readonly List<int> _high = [];
    private readonly List<int> _low = [];
    private readonly List<int> _leftoverHigh = [];
    private readonly List<int> _leftoverLow = [];
    private readonly List<int> _newDetections = [];
    private float[] _costs = [];
    private int[] _rowToColumn = [];
    private int[] _columnToRow = [];
    private int[] _outputIndices = [];

    private int _nextId = 1;
    private long _frame;
    private long _lastIndex;

    /// <summary>Creates a tracker; throws when <paramref name="options"/> are out of range.</summary>
    public ByteTracker(ByteTrackerOptions options)
    {
        ValidateOptions(options);
        _options = options;
    }

    /// <summary>Gets the tracker's settings.</summary>
    public ByteTrackerOptions Options => _options;

    /// <summary>Assigns track ids to the detections of the next frame of the source.</summary>
    /// <param name="detections">The frame's detections; not modified.</param>
    /// <param name="meta">The frame's metadata; <see cref="FrameMetadata.Discontinuity"/> and <see cref="FrameMetadata.Index"/> are read.</param>
    /// <returns>The detections matched to a confirmed track, ordered by track id, with <see cref="Instances.TrackIds"/> set.</returns>
    public Instances Update(Instances detections, FrameMetadata meta)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(meta);

        int steps = AdvanceClock(meta);
        long frame = _frame;
        BoxF[] boxes = detections.Boxes;
        float[] scores = detections.Scores;
        int[] classIds = detections.ClassIds;

        // Split the detections by score. NaN scores fail both tests and are ignored.
        _high.Clear();
        _low.Clear();
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (s >= _options.TrackHighThreshold)
            {
                _high.Add(i);
            }
            else if (s > _options.TrackLowThreshold)
            {
                _low.Add(i);
            }
        }

        // Split the tracks: the pool is confirmed tracked tracks, then lost ones.
        _pool.Clear();
        _unconfirmed.Clear();
        foreach (Track t in _tracks)
        {
            t.DetectionIndex = -1;
            if (t.State == TrackState.Tracked)
            {
                (t.IsActivated ? _pool : _unconfirmed).Add(t);
            }
        }

        foreach (Track t in _tracks)
        {
            if (t.State == TrackState.Lost)
            {
                _pool.Add(t);
            }
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
        Associate(_pool, boxes, scores, classIds, _high, _options.FuseScore, _options.MatchThreshold, frame, _leftoverHigh);

        // Second association: tracked tracks left over against the low detections, without score fusion.
        _remaining.Clear();
        foreach (Track t in _pool)
        {
            if (t.DetectionIndex < 0 && t.State == TrackState.Tracked)
            {
                _remaining.Add(t);
            }
        }

        Associate(_remaining, boxes, scores, classIds, _low, fuseScore: false, SecondMatchThreshold, frame, _leftoverLow);
        foreach (Track t in _remaining)
        {
            if (t.DetectionIndex < 0)
            {
                t.State = TrackState.Lost;
            }
        }

        // Unconfirmed tracks against the high detections left over; an unconfirmed track gets one chance only.
        Associate(_unconfirmed, boxes, scores, classIds, _leftoverHigh, _options.FuseScore, UnconfirmedMatchThreshold, frame, _newDetections);
        foreach (Track t in _unconfirmed)
        {
            if (t.DetectionIndex < 0)
            {
                t.State = TrackState.Removed;
            }
        }

        foreach (int d in _newDetections)
        {
            if (scores[d] >= _options.NewTrackThreshold)
            {
                bool confirmed = frame == 1;
                var track = new Track(confirmed ? _nextId++ : 0, boxes[d], scores[d], classIds[d], frame, activated: confirmed)
                {
                    DetectionIndex = d,
                };
                _tracks.Add(track);
            }
        }

        foreach (Track t in _tracks)
        {
            if (t.State == TrackState.Lost && frame - t.LastFrame > _options.TrackBuffer)
            {
                t.State = TrackState.Removed;
            }
        }

        RemoveDuplicates();
        Compact();
        return BuildOutput(detections);
    }

    /// <summary>Forgets every track and restarts the ids at 1, as for a new source.</summary>
    public void Reset()
    {
        _tracks.Clear();
        _nextId = 1;
        _frame = 0;
        _lastIndex = 0;
    }

    /// <summary>Throws when <paramref name="options"/> is null or out of range.</summary>
    internal static void ValidateOptions(ByteTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfNotUnit(options.TrackHighThreshold, nameof(options.TrackHighThreshold));
        ThrowIfNotUnit(options.TrackLowThreshold, nameof(options.TrackLowThreshold));
        ThrowIfNotUnit(options.NewTrackThreshold, nameof(options.NewTrackThreshold));
        ThrowIfNotUnit(options.MatchThreshold, nameof(options.MatchThreshold));
        ArgumentOutOfRangeException.ThrowIfNegative(options.TrackBuffer, nameof(options.TrackBuffer));
        if (options.TrackLowThreshold > options.TrackHighThreshold)
        {
            // The pair is out of range, not one value: the argument at fault is the options object.
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.TrackLowThreshold,
                $"{nameof(options.TrackLowThreshold)} must not exceed {nameof(options.TrackHighThreshold)} ({options.TrackHighThreshold}).");
        }
    }

    private static void ThrowIfNotUnit(float value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");
        }
    }

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
            steps = (int)Math.Min(gap, Math.Max(2L, _options.TrackBuffer + 1L));
        }
        else
        {
            _frame++;
        }

        _lastIndex = meta.Index;
        return steps;
    }

    // Matches tracks to the candidate detections by minimum total cost and updates the matched tracks; the candidates
    // left unmatched go to unmatchedDetections, in their original order.
    private void Associate(
        List<Track> tracks,
        BoxF[] boxes,
        float[] scores,
        int[] classIds,
        List<int> candidates,
        bool fuseScore,
        float threshold,
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

        EnsureLength(ref _costs, rows * columns);
        EnsureLength(ref _rowToColumn, rows);
        EnsureLength(ref _columnToRow, columns);
        for (int r = 0; r < rows; r++)
        {
            BoxF trackBox = tracks[r].Box;
            for (int c = 0; c < columns; c++)
            {
                int d = candidates[c];
                float similarity = BoxF.IoU(trackBox, boxes[d]);
                if (fuseScore)
                {
                    similarity *= scores[d];
                }

                _costs[(r * columns) + c] = 1 - similarity;
            }
        }

        LinearAssignment.Solve(_costs.AsSpan(0, rows * columns), rows, columns, threshold, _rowToColumn, _columnToRow);
        for (int r = 0; r < rows; r++)
        {
            int c = _rowToColumn[r];
            if (c >= 0)
            {
                int d = candidates[c];
                tracks[r].Match(boxes[d], scores[d], classIds[d], d, frame);
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

    // ByteTrack's remove_duplicate_stracks: a tracked and a lost track with IoU distance < 0.15 are one object seen
    // twice; the one with the shorter history goes. All pairs are judged before any track is removed, as in ByteTrack.
    private void RemoveDuplicates()
    {
        _duplicates.Clear();
        foreach (Track p in _tracks)
        {
            if (p.State != TrackState.Tracked)
            {
                continue;
            }

            BoxF pBox = p.Box;
            foreach (Track q in _tracks)
            {
                if (q.State != TrackState.Lost || 1 - BoxF.IoU(pBox, q.Box) >= DuplicateDistance)
                {
                    continue;
                }

                long timeP = p.LastFrame - p.StartFrame;
                long timeQ = q.LastFrame - q.StartFrame;
                _duplicates.Add(timeP > timeQ ? q : p);
            }
        }

        foreach (Track t in _duplicates)
        {
            t.State = TrackState.Removed;
        }
    }

    // Drops removed tracks while keeping the rest in id order.
    private void Compact()
    {
        int kept = 0;
        for (int i = 0; i < _tracks.Count; i++)
        {
            Track t = _tracks[i];
            if (t.State != TrackState.Removed)
            {
                _tracks[kept++] = t;
            }
        }

        _tracks.RemoveRange(kept, _tracks.Count - kept);
    }

    private Instances BuildOutput(Instances detections)
    {
        EnsureLength(ref _outputIndices, _tracks.Count);
        int n = 0;
        foreach (Track t in _tracks)
        {
            if (t.State == TrackState.Tracked && t.IsActivated && t.DetectionIndex >= 0)
            {
                if (t.Id == 0)
                {
                    // First confirmed now: tracks born earlier may confirm later, so output is sorted below.
                    t.Id = _nextId++;
                }

                n++;
            }
        }

        var trackIds = new int[n];
        n = 0;
        foreach (Track t in _tracks)
        {
            if (t.State == TrackState.Tracked && t.IsActivated && t.DetectionIndex >= 0)
            {
                // Insertion by id: a handful of tracks per frame, already almost in order.
                int j = n++;
                while (j > 0 && trackIds[j - 1] > t.Id)
                {
                    trackIds[j] = trackIds[j - 1];
                    _outputIndices[j] = _outputIndices[j - 1];
                    j--;
                }

                trackIds[j] = t.Id;
                _outputIndices[j] = t.DetectionIndex;
            }
        }

        return detections.Select(_outputIndices.AsSpan(0, n), trackIds);
    }

    private static void EnsureLength<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }
}
