using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace StreamSeg.Capture;

/// <summary>
/// Keeps a live source going: when it stalls (no frame within its read timeout), ends or fails, the source is
/// reopened after the waits of <see cref="ReconnectOptions.Policy"/> (quick attempts for the first minute, then
/// exponential backoff with jitter), forever unless its <see cref="ReconnectPolicy.MaxAttempts"/> says otherwise. Each
/// state change is reported once through the callback.
/// </summary>
/// <remarks>
/// <para>
/// A source that can be probed cheaply (<see cref="IReachabilityProbe"/>: a network stream) is probed every
/// <see cref="ReconnectOptions.ProbeInterval"/> while offline: a probe that finds it serving again starts a full open
/// at once, and a due open is skipped while the last probe found nothing there. So a source is live again within
/// about a probe interval plus one open of its return, however long it was away, and a dead host sees one TCP connect
/// per interval instead of a decoder. The Live record after a reconnect says how long the source was away and how
/// long its reopen took (<see cref="SourceStateChange.Reopen"/>).
/// </para>
/// <para>
/// While the source is offline, <see cref="Read"/> returns an "offline since …" card every
/// <see cref="ReconnectOptions.PlaceholderInterval"/> (flagged <see cref="FrameFlags.Placeholder"/>), so that outputs
/// such as a published stream keep going and viewers stay connected. The first real frame after a reconnect is flagged
/// <see cref="FrameFlags.AfterGap"/>. Waiting is interrupted at once by the stop token. The first open is not retried:
/// a source that cannot be opened at start is an error the user must see.
/// </para>
/// </remarks>
public sealed class ReconnectingSource : IFrameSource
{
    private readonly IFrameSource _inner;
    private readonly ReconnectOptions _options;
    private readonly Action<SourceStateChange> _onChange;
    private readonly CancellationToken _stop;
    private readonly int _sourceIndex;
    private readonly IReachabilityProbe? _probe;
    private SourceState _state = SourceState.Connecting;
    private DateTimeOffset _offlineSince;
    private long _offlineTimestamp;
    private long _nextAttempt;
    private long _nextPlaceholder;
    private long _nextProbe;
    private long _returnedAt;
    private SourceReachability _reachability;
    private int _attempt;
    private bool _afterGap;

    /// <summary>Wraps <paramref name="inner"/> (taking ownership).</summary>
    public ReconnectingSource(IFrameSource inner, int sourceIndex, ReconnectOptions options, Action<SourceStateChange>? onChange, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _inner = inner;
        _sourceIndex = sourceIndex;
        _options = options;
        _onChange = onChange ?? (_ => { });
        _stop = stop;
        _probe = options.ProbeInterval > TimeSpan.Zero ? inner as IReachabilityProbe : null;
    }

    /// <inheritdoc/>
    public string Id => _inner.Id;

    /// <inheritdoc/>
    public SourceKind Kind => _inner.Kind;

    /// <inheritdoc/>
    public bool IsLive => true;

    /// <inheritdoc/>
    public double Fps => _inner.Fps;

    /// <inheritdoc/>
    public long? FrameCount => null;

    /// <inheritdoc/>
    public int Width { get; private set; }

    /// <inheritdoc/>
    public int Height { get; private set; }

    /// <summary>Gets the current state.</summary>
    public SourceState State => _state;

    /// <summary>Gets how many times the source has come back after going offline.</summary>
    public int Reconnects { get; private set; }

    /// <inheritdoc/>
    public FrameFlags LastFrameFlags { get; private set; }

    /// <inheritdoc/>
    public void Open()
    {
        _inner.Open();
        Width = _inner.Width;
        Height = _inner.Height;
        Change(SourceState.Live, null);
    }

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        ArgumentNullException.ThrowIfNull(target);
        while (!_stop.IsCancellationRequested)
        {
            if (_state == SourceState.Live)
            {
                string reason;
                try
                {
                    if (_inner.Read(target, out pts))
                    {
                        LastFrameFlags = _afterGap ? FrameFlags.AfterGap : FrameFlags.None;
                        _afterGap = false;
                        return true;
                    }

                    reason = "the stream ended";
                }
                catch (SourceException ex)
                {
                    reason = ex.Message;
                }

                GoOffline(reason);
                continue;
            }

            if (_state == SourceState.Ended)
            {
                break;
            }

            long now = Stopwatch.GetTimestamp();
            if (_probe is not null && now >= _nextProbe)
            {
                ProbeOnce(now);
                continue;
            }

            if (now >= _nextAttempt)
            {
                TryReopen(now);
                continue;
            }

            bool placeholders = _options.PlaceholderInterval > TimeSpan.Zero && Width > 0 && Height > 0;
            long wakeAt = placeholders ? Math.Min(_nextAttempt, _nextPlaceholder) : _nextAttempt;
            if (_probe is not null)
            {
                wakeAt = Math.Min(wakeAt, _nextProbe);
            }

            TimeSpan wait = Stopwatch.GetElapsedTime(now, wakeAt);
            if (wait > TimeSpan.Zero && _stop.WaitHandle.WaitOne(wait))
            {
                break;
            }

            long woke = Stopwatch.GetTimestamp();
            if (placeholders && woke >= _nextPlaceholder && woke < _nextAttempt)
            {
                _nextPlaceholder = woke + ToTicks(_options.PlaceholderInterval);
                DrawPlaceholder(target);
                pts = TimeSpan.Zero;
                LastFrameFlags = FrameFlags.Placeholder;
                return true;
            }
        }

        pts = TimeSpan.Zero;
        if (_state != SourceState.Ended)
        {
            Change(SourceState.Ended, "stopped");
        }

        return false;
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private void GoOffline(string reason)
    {
        _offlineSince = DateTimeOffset.UtcNow;
        _offlineTimestamp = Stopwatch.GetTimestamp();
        _attempt = 0;
        _returnedAt = 0;
        _reachability = SourceReachability.Unknown;
        Change(SourceState.Stalled, reason);
        ScheduleNextAttempt();
        _nextPlaceholder = Stopwatch.GetTimestamp();
        _nextProbe = Stopwatch.GetTimestamp(); // probe first: no full open against a host that is not there
        Change(SourceState.Reconnecting, null);
    }

    private void ScheduleNextAttempt()
    {
        _attempt++;
        _nextAttempt = Stopwatch.GetTimestamp() + ToTicks(_options.Policy.DelayFor(_attempt));
    }

    // One cheap probe. Only a change to Serving brings the open forward: a server that serves but cannot be opened
    // (a wrong codec, say) is then retried on the policy's schedule, not at every probe.
    private void ProbeOnce(long now)
    {
        TimeSpan timeout = _options.ProbeInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : _options.ProbeInterval;
        SourceReachability found = _probe!.Probe(timeout);
        if (found == SourceReachability.Serving && _reachability != SourceReachability.Serving)
        {
            _returnedAt = now;
            _nextAttempt = Stopwatch.GetTimestamp();
        }

        _reachability = found;
        _nextProbe = Stopwatch.GetTimestamp() + ToTicks(_options.ProbeInterval);
    }

    private void TryReopen(long now)
    {
        try
        {
            if (_reachability == SourceReachability.Unreachable)
            {
                // The last probe found nothing there: a full open would only fail, slowly.
                throw new SourceException($"Source '{Id}': not reachable (a probe found no server or no stream there).");
            }

            if (_returnedAt == 0)
            {
                _returnedAt = now;
            }

            _inner.Open();
            Reconnects++;
            _afterGap = true;
            Width = _inner.Width;
            Height = _inner.Height;
            Change(SourceState.Live, null, Stopwatch.GetElapsedTime(_offlineTimestamp), Stopwatch.GetElapsedTime(_returnedAt));
        }
        catch (SourceException ex)
        {
            _returnedAt = 0;
            if (!_options.Policy.AllowsAttemptAfter(_attempt))
            {
                Change(SourceState.Ended, $"gave up after {_attempt} attempts: {ex.Message}");
                _inner.Dispose();
                throw new SourceException($"Source '{Id}': offline since {_offlineSince:HH:mm:ss} UTC, gave up after {_attempt} reconnect attempts ({ex.Message}).", ex);
            }

            ScheduleNextAttempt();
        }
    }

    private void DrawPlaceholder(Mat target)
    {
        if (target.Width != Width || target.Height != Height || target.Type() != MatType.CV_8UC3)
        {
            target.Create(Height, Width, MatType.CV_8UC3);
        }

        target.SetTo(new Scalar(40, 40, 40));
        double scale = Math.Max(0.5, Width / 900.0);
        int thickness = Math.Max(1, (int)Math.Round(scale * 2));
        string title = "SOURCE OFFLINE";
        string since = string.Create(CultureInfo.InvariantCulture, $"since {_offlineSince:HH:mm:ss} UTC ({(DateTimeOffset.UtcNow - _offlineSince).TotalSeconds:0} s), reconnecting (attempt {_attempt})");
        Size titleSize = Cv2.GetTextSize(title, HersheyFonts.HersheySimplex, scale * 1.6, thickness, out _);
        Cv2.PutText(target, title, new Point((Width - titleSize.Width) / 2, Height / 2), HersheyFonts.HersheySimplex, scale * 1.6, new Scalar(80, 80, 240), thickness, LineTypes.AntiAlias);
        Size sinceSize = Cv2.GetTextSize(since, HersheyFonts.HersheySimplex, scale * 0.6, 1, out _);
        Cv2.PutText(target, since, new Point(Math.Max(4, (Width - sinceSize.Width) / 2), (Height / 2) + titleSize.Height + 12), HersheyFonts.HersheySimplex, scale * 0.6, new Scalar(220, 220, 220), 1, LineTypes.AntiAlias);
        Cv2.PutText(target, Id, new Point(8, Height - 12), HersheyFonts.HersheySimplex, scale * 0.5, new Scalar(160, 160, 160), 1, LineTypes.AntiAlias);
    }

    private void Change(SourceState state, string? reason, TimeSpan? offline = null, TimeSpan? reopen = null)
    {
        _state = state;
        _onChange(new SourceStateChange(Id, _sourceIndex, state, DateTimeOffset.UtcNow, reason is null ? null : UrlRedactor.Redact(reason), Reconnects, offline, reopen));
    }
}
