using StreamSeg.Capture;
using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Frames;

namespace StreamSeg.Web;

/// <summary>The web view's state of one source: its live figures and its latest JPEG.</summary>
/// <remarks>
/// Written only by the sink's loop (<see cref="Update"/>, <see cref="Publish"/>); read by any number of HTTP requests.
/// Figures and the published buffer are guarded by one lock held for a few field copies, never during encoding or
/// network writes, so neither side can stall the other.
/// </remarks>
internal sealed class StreamView : IDisposable
{
    private readonly object _gate = new();
    private readonly WebViewSinkOptions _options;
    private readonly double[] _latencies;
    private readonly double[] _stageMs = new double[PipelineStageInfo.Count];
    private readonly JpegEncoder _encoder;
    private Mat? _scaled;
    private JpegBuffer? _latest;
    private TaskCompletionSource _published = NewSignal();
    private long _sequence;
    private long _frames;
    private long _frameIndex = -1;
    private long _drops;
    private SourceState _sourceState = SourceState.Live;
    private int _reconnects;
    private int _width;
    private int _height;
    private int _latencyCount;
    private int _latencyNext;
    private int _activeTracks;
    private int _instances;
    private long _lastFrameTimestamp;
    private long _fpsWindowStart;
    private int _fpsWindowFrames;
    private double _fps;
    private int _clients;
    private long _demandUntil;
    private bool _ended;

    public StreamView(int index, string id, WebViewSinkOptions options)
    {
        Index = index;
        Id = id;
        _options = options;
        _latencies = new double[options.LatencyWindow];
        _encoder = new JpegEncoder(options.JpegQuality);
    }

    public int Index { get; }

    public string Id { get; }

    /// <summary>Gets whether the run has ended (no more frames will come).</summary>
    public bool IsEnded
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Gets whether a frame must be encoded now: a client is connected or a snapshot was asked for recently.</summary>
    public bool HasDemand => Volatile.Read(ref _clients) > 0 || Stopwatch.GetTimestamp() < Volatile.Read(ref _demandUntil);

    /// <summary>Updates the figures from <paramref name="frame"/> (sink loop only).</summary>
    public void Update(Frame frame, long now)
    {
        FrameMetadata meta = frame.Meta;
        int tracks = 0;
        if (frame.Instances?.TrackIds is int[] ids)
        {
            foreach (int id in ids)
            {
                tracks += id > 0 ? 1 : 0;
            }
        }

        lock (_gate)
        {
            if (_frameIndex >= 0 && meta.Index > _frameIndex + 1)
            {
                _drops += meta.Index - _frameIndex - 1;
            }

            _frames++;
            _frameIndex = meta.Index;
            _width = frame.Width;
            _height = frame.Height;
            _activeTracks = tracks;
            _instances = frame.Instances?.Count ?? 0;
            _lastFrameTimestamp = now;
            if (meta.CaptureTimestamp != 0)
            {
                _latencies[_latencyNext] = Stopwatch.GetElapsedTime(meta.CaptureTimestamp, now).TotalMilliseconds;
                _latencyNext = (_latencyNext + 1) % _latencies.Length;
                _latencyCount = Math.Min(_latencyCount + 1, _latencies.Length);
            }

            for (int s = 0; s < _stageMs.Length; s++)
            {
                double ms = meta.Timings[s];
                if (double.IsFinite(ms) && ms > 0)
                {
                    _stageMs[s] = _stageMs[s] == 0 ? ms : (_stageMs[s] * 0.9) + (ms * 0.1);
                }
            }

            UpdateFps(now);
        }
    }

    /// <summary>Encodes <paramref name="frame"/> (downscaled if wider than allowed) and makes it the latest JPEG (sink loop only).</summary>
    public void Publish(Frame frame)
    {
        Mat image = frame.Image;
        if (_options.MaxWidth > 0 && image.Width > _options.MaxWidth)
        {
            int height = Math.Max(1, (int)Math.Round((double)image.Height * _options.MaxWidth / image.Width));
            _scaled ??= new Mat();
            Cv2.Resize(image, _scaled, new Size(_options.MaxWidth, height), interpolation: InterpolationFlags.Area);
            image = _scaled;
        }

        JpegBuffer buffer = _encoder.Encode(image, _sequence + 1, frame.Meta.Index);
        JpegBuffer? old;
        TaskCompletionSource signal;
        lock (_gate)
        {
            old = _latest;
            _latest = buffer;
            _sequence = buffer.Sequence;
            signal = _published;
            _published = NewSignal();
        }

        old?.Release();

        // Continuations run asynchronously, so waking clients never runs their network writes on the sink's thread.
        signal.TrySetResult();
    }

    /// <summary>Gets the latest JPEG newer than <paramref name="afterSequence"/> with a reference the caller must release, or a task that completes when one is published.</summary>
    public bool TryGetNewer(long afterSequence, out JpegBuffer? buffer, out Task published)
    {
        lock (_gate)
        {
            published = _published.Task;
            if (_latest is not null && _latest.Sequence > afterSequence)
            {
                buffer = _latest.AddReference();
                return true;
            }

            buffer = null;
            return false;
        }
    }

    /// <summary>Counts a connected MJPEG client; dispose the result when it leaves.</summary>
    public IDisposable Connect()
    {
        Interlocked.Increment(ref _clients);
        return new Client(this);
    }

    /// <summary>Asks for frames to be encoded for <see cref="WebViewSinkOptions.DemandLinger"/> (a snapshot request).</summary>
    public void Demand()
    {
        long until = Stopwatch.GetTimestamp() + (long)(_options.DemandLinger.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref _demandUntil, until);
    }

    /// <summary>Marks the end of the run and wakes every waiting client.</summary>
    public void End()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _ended = true;
            signal = _published;
            _published = NewSignal();
        }

        signal.TrySetResult();
    }

    public void SetSourceState(SourceState state, int reconnects)
    {
        lock (_gate)
        {
            _sourceState = state;
            _reconnects = reconnects;
        }
    }

    public StreamStatus GetStatus(long now)
    {
        lock (_gate)
        {
            var stages = new Dictionary<string, double>(_stageMs.Length);
            for (int s = 0; s < _stageMs.Length; s++)
            {
                stages[PipelineStageInfo.Name((PipelineStage)s)] = Math.Round(_stageMs[s], 2);
            }

            double[] recent = _latencies[.._latencyCount];
            Array.Sort(recent);
            double? age = _frames == 0 ? null : Math.Round(Stopwatch.GetElapsedTime(_lastFrameTimestamp, now).TotalMilliseconds, 1);
            StreamHealth health = _ended ? StreamHealth.Ended
                : _frames == 0 ? StreamHealth.Starting
                : Stopwatch.GetElapsedTime(_lastFrameTimestamp, now) > _options.StaleAfter || _sourceState != SourceState.Live ? StreamHealth.Degraded
                : StreamHealth.Ready;
            return new StreamStatus(
                Index, Id, health, _frames, _frameIndex, _width, _height,
                Math.Round(CurrentFps(now), 2),
                Math.Round(Percentile(recent, 50), 2),
                Math.Round(Percentile(recent, 95), 2),
                stages, _drops, _activeTracks, _instances, age, Volatile.Read(ref _clients), _sequence,
                _sourceState.ToString().ToLowerInvariant(), _reconnects);
        }
    }

    public void Dispose()
    {
        JpegBuffer? latest;
        lock (_gate)
        {
            latest = _latest;
            _latest = null;
        }

        latest?.Release();
        _encoder.Dispose();
        _scaled?.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static double Percentile(double[] sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        int rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private void UpdateFps(long now)
    {
        if (_fpsWindowStart == 0)
        {
            _fpsWindowStart = now;
            return;
        }

        _fpsWindowFrames++;
        double seconds = Stopwatch.GetElapsedTime(_fpsWindowStart, now).TotalSeconds;
        if (seconds >= 1.0 || (_fps == 0 && seconds > 0.2))
        {
            _fps = _fpsWindowFrames / seconds;
            if (seconds >= 1.0)
            {
                _fpsWindowFrames = 0;
                _fpsWindowStart = now;
            }
        }
    }

    private double CurrentFps(long now)
    {
        // A stream that stopped shows 0 rather than its last rate.
        return _frames == 0 || Stopwatch.GetElapsedTime(_lastFrameTimestamp, now) > _options.StaleAfter ? 0 : _fps;
    }

    private sealed class Client(StreamView view) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref view._clients);
            }
        }
    }
}
