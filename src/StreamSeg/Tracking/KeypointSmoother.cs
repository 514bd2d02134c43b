using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tracking;

/// <summary>
/// Smooths the keypoints of tracked instances of one source over time with one <see cref="OneEuroFilter"/> per track,
/// keypoint and axis, as MediaPipe's pose pipeline does.
/// </summary>
/// <remarks>
/// <para>
/// The speed is measured in object sizes per second (MediaPipe's value scale), the size being the mean of the
/// instance box's width and height (MediaPipe takes the landmarks' bounds; a MoveNet box is those bounds, and it is not
/// thrown off by a stray low-score keypoint). The rate is the source's frame rate. Scores are left as they are.
/// </para>
/// <para>
/// A track's filters start over (the keypoints pass unchanged) on its first frame, when it comes back after missing a
/// frame, and on a frame flagged <see cref="FrameMetadata.Discontinuity"/>; a track not seen on a frame is forgotten.
/// State is kept per track id and reused, so a steady run allocates nothing. Not thread-safe.
/// </para>
/// </remarks>
public sealed class KeypointSmoother
{
    private const double MinObjectSize = 1e-6;

    private readonly OneEuroOptions _options;
    private readonly double _frameRate;
    private readonly Dictionary<int, TrackFilters> _tracks = [];
    private readonly Stack<TrackFilters> _free = new();
    private readonly List<int> _gone = [];
    private long _frame;

    /// <summary>Creates a smoother for a source running at <paramref name="frameRate"/> frames per second.</summary>
    public KeypointSmoother(OneEuroOptions options, double frameRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!(frameRate > 0) || !double.IsFinite(frameRate))
        {
            throw new ArgumentOutOfRangeException(nameof(frameRate), frameRate, "The frame rate must be positive.");
        }

        _options = options;
        _frameRate = frameRate;
    }

    /// <summary>Gets how many tracks have filter state now.</summary>
    public int TrackCount => _tracks.Count;

    /// <summary>Replaces the keypoints of <paramref name="tracked"/> (which must carry track ids) with their smoothed values, in place.</summary>
    public void Apply(Instances tracked, FrameMetadata meta)
    {
        ArgumentNullException.ThrowIfNull(tracked);
        ArgumentNullException.ThrowIfNull(meta);
        _frame++;
        if (meta.Discontinuity)
        {
            ForgetAll();
        }

        Keypoint[]? keypoints = tracked.Keypoints;
        int[]? ids = tracked.TrackIds;
        if (keypoints is not null && ids is not null)
        {
            int k = tracked.KeypointsPerInstance;
            for (int i = 0; i < tracked.Count; i++)
            {
                TrackFilters filters = Filters(ids[i], k);
                if (filters.LastIndex != meta.Index - 1)
                {
                    // New, or back after missing a frame: the speed across the gap means nothing.
                    filters.Reset();
                }

                filters.LastIndex = meta.Index;
                filters.LastSeen = _frame;
                BoxF box = tracked.Boxes[i];
                double size = (box.Width + box.Height) / 2.0;
                double scale = size > MinObjectSize ? 1.0 / size : 1.0;
                Span<Keypoint> points = keypoints.AsSpan(i * k, k);
                for (int p = 0; p < k; p++)
                {
                    Keypoint kp = points[p];
                    double x = filters.X[p].Apply(kp.X, _frameRate, scale);
                    double y = filters.Y[p].Apply(kp.Y, _frameRate, scale);
                    points[p] = kp with { X = (float)x, Y = (float)y };
                }
            }
        }

        // Tracks not seen on this frame are forgotten; they start over if they come back.
        _gone.Clear();
        foreach ((int id, TrackFilters f) in _tracks)
        {
            if (f.LastSeen != _frame)
            {
                _gone.Add(id);
            }
        }

        foreach (int id in _gone)
        {
            _free.Push(_tracks[id]);
            _tracks.Remove(id);
        }
    }

    /// <summary>Forgets every track, as for a new source.</summary>
    public void Reset() => ForgetAll();

    private void ForgetAll()
    {
        foreach (TrackFilters f in _tracks.Values)
        {
            _free.Push(f);
        }

        _tracks.Clear();
    }

    private TrackFilters Filters(int id, int keypointCount)
    {
        if (_tracks.TryGetValue(id, out TrackFilters? filters) && filters.X.Length == keypointCount)
        {
            return filters;
        }

        while (_free.TryPop(out TrackFilters? reused))
        {
            if (reused.X.Length == keypointCount)
            {
                filters = reused;
                break;
            }
        }

        filters ??= new TrackFilters(_options, keypointCount);
        filters.Reset();
        filters.LastIndex = long.MinValue;
        _tracks[id] = filters;
        return filters;
    }

    private sealed class TrackFilters
    {
        public TrackFilters(OneEuroOptions options, int count)
        {
            X = new OneEuroFilter[count];
            Y = new OneEuroFilter[count];
            for (int i = 0; i < count; i++)
            {
                X[i] = new OneEuroFilter(options);
                Y[i] = new OneEuroFilter(options);
            }
        }

        public OneEuroFilter[] X { get; }

        public OneEuroFilter[] Y { get; }

        public long LastIndex { get; set; } = long.MinValue;

        public long LastSeen { get; set; }

        public void Reset()
        {
            foreach (OneEuroFilter f in X)
            {
                f.Reset();
            }

            foreach (OneEuroFilter f in Y)
            {
                f.Reset();
            }
        }
    }
}
