using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>Publishes the frames as an H.264 stream to an RTSP server, through an <c>ffmpeg</c> child process.</summary>
/// <remarks>
/// <para>
/// ffmpeg is started on the first frame, whose size fixes the stream size (a later frame of another size is an
/// error): <c>ffmpeg -f rawvideo -pix_fmt bgr24 -s WxH -r fps -i - -c:v libx264 -preset ultrafast -tune zerolatency
/// -g … -pix_fmt yuv420p -f rtsp -rtsp_transport udp URL</c>. Each frame's pixels go to ffmpeg's stdin straight from
/// the <see cref="Mat"/>'s native memory, as in <see cref="FfmpegVideoSink"/>. Frame timestamps are frame count /
/// <see cref="RtspPublishSinkOptions.Fps"/>, so set it to the rate the pipeline delivers.
/// </para>
/// <para>
/// The server going away never fails or stalls the pipeline. When ffmpeg exits, a write to it fails, or a write takes
/// longer than <see cref="RtspPublishSinkOptions.WriteTimeout"/> (a stalled server; ffmpeg is then killed), the frame
/// is counted in <see cref="Dropped"/> and the sink goes to <see cref="RtspPublishState.Reconnecting"/>. Frames that
/// arrive while reconnecting are dropped and counted; the first frame after the backoff delay starts a new ffmpeg
/// (<see cref="RtspPublishState.Connecting"/>), which becomes <see cref="RtspPublishState.Live"/> once the server has
/// accepted the stream. The delays come from <see cref="RtspPublishSinkOptions.Reconnect"/> (by default 0.5 s, doubling
/// after each failed attempt up to 10 s, shortened by a random jitter) and start over once a session is live; if that
/// policy's <see cref="ReconnectPolicy.MaxAttempts"/> is reached the sink gives up (<see cref="RtspPublishState.Stopped"/>)
/// and drops every later frame. Reconnecting is driven by frames, so a sink that gets no frames makes no attempts;
/// the frame that starts an attempt waits until the new ffmpeg reads it (its start-up, typically 0.1–0.2 s, never
/// more than the write timeout).
/// Only a missing ffmpeg executable, a frame that is not 8-bit BGR, or a change of frame size raise exceptions.
/// </para>
/// <para>
/// Each ffmpeg process is one <see cref="RtspPublishSession"/> (writes with their watchdog, stderr, exit); the sink
/// keeps the state, the counters and the reconnect schedule. Each state change is logged once (a lost or failed
/// session as a warning), with the URL's credentials redacted, as in every message (they are on ffmpeg's command
/// line, which other local users can see). <see cref="FfmpegSink.CompleteAsync"/> closes ffmpeg's stdin so that it
/// sends what it has, waits up to <see cref="RtspPublishSinkOptions.CompleteTimeout"/>, then kills it;
/// <see cref="FfmpegSink.DisposeAsync"/> kills it at once.
/// Options cannot change while running. Example:
/// <c>new RtspPublishSink(new RtspPublishSinkOptions("rtsp://127.0.0.1:8554/out") { Fps = 25, Transport = "tcp" }, logger)</c>.
/// </para>
/// </remarks>
public sealed partial class RtspPublishSink : FfmpegSink
{
    private readonly RtspPublishSinkOptions _options;
    private readonly ILogger _logger;
    private readonly string _displayUrl;
    private readonly Action<RtspPublishSession> _onLive;
    private readonly Action<RtspPublishSession, string> _onEnded;

    // Guards the state below: WriteAsync runs on the pipeline's thread, while a session's events (ffmpeg's exit, its
    // stderr, the write watchdog) arrive on thread-pool threads. Sessions are never called while it is held.
    private readonly Lock _gate = new();
    private RtspPublishSession? _session;
    private RtspPublishState _state = RtspPublishState.Connecting;
    private bool _lostSession;
    private bool _stopping;
    private int _failedAttempts;
    private long _connectStartedAt;
    private long _retryAt;

    private long _framesWritten;
    private long _dropped;
    private long _reconnects;

    /// <summary>Creates the sink and validates <paramref name="options"/>; nothing is started until the first frame.</summary>
    /// <param name="options">Where to publish, how to encode, how to reconnect.</param>
    /// <param name="logger">Where the state changes are logged; null for none.</param>
    public RtspPublishSink(RtspPublishSinkOptions options, ILogger<RtspPublishSink>? logger = null)
        : base(ValidName(options), "Publish sink", "publish to", options.FfmpegPath)
    {
        _options = options;
        _logger = logger ?? NullLogger<RtspPublishSink>.Instance;
        _displayUrl = UrlRedactor.Redact(options.Url);
        _onLive = OnSessionLive;
        _onEnded = OnSessionEnded;
    }

    /// <summary>Gets the URL published to, with credentials redacted.</summary>
    public string DisplayUrl => _displayUrl;

    /// <summary>Gets the connection state.</summary>
    public RtspPublishState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets how many frames have been handed to ffmpeg.</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Gets how many frames were dropped: while reconnecting, or because the write to ffmpeg failed or timed out.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many times a session went live again after a session was lost or an attempt failed.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Gets the process id of the current ffmpeg, or null when none runs (tests use it to check that it is gone).</summary>
    internal int? EncoderProcessId
    {
        get
        {
            lock (_gate)
            {
                return _session?.ProcessId;
            }
        }
    }

    /// <inheritdoc/>
    private protected override string Target => _displayUrl;

    /// <inheritdoc/>
    /// <remarks>Returns without sending (and counts the frame in <see cref="Dropped"/>) while the sink is reconnecting.</remarks>
    private protected override async ValueTask WriteCoreAsync(Mat image, CancellationToken cancellationToken)
    {
        RtspPublishSession? session = await PrepareSessionAsync().ConfigureAwait(false);
        bool sent = false;
        try
        {
            sent = session is not null && await session.WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref sent ? ref _framesWritten : ref _dropped);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Closes ffmpeg's stdin so that it sends the frames it holds and ends the session, waits up to
    /// <see cref="RtspPublishSinkOptions.CompleteTimeout"/>, then kills it. A lost server is not an error here.
    /// </remarks>
    private protected override async ValueTask CompleteCoreAsync(CancellationToken cancellationToken)
    {
        RtspPublishSession? session;
        lock (_gate)
        {
            // From here on ffmpeg's exit is the end of the run, not a lost session.
            _stopping = true;
            session = _session;
        }

        bool finished = session is null || await session.CloseAsync(_options.CompleteTimeout, cancellationToken).ConfigureAwait(false);
        string timeout = _options.CompleteTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        if (finished)
        {
            Stop(() => LogStopped(_logger, Name, FramesWritten, Dropped, Reconnects));
        }
        else if (cancellationToken.IsCancellationRequested)
        {
            Stop(() => LogStoppedCancelledKilled(_logger, Name, timeout));
            cancellationToken.ThrowIfCancellationRequested();
        }
        else
        {
            Stop(() => LogStoppedKilled(_logger, Name, FramesWritten, Dropped, Reconnects, timeout));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Kills ffmpeg at once if it is still running (call <see cref="FfmpegSink.CompleteAsync"/> first to end the stream cleanly).</remarks>
    private protected override async ValueTask DisposeCoreAsync()
    {
        RtspPublishSession? session;
        lock (_gate)
        {
            _stopping = true;
            session = _session;
            _session = null;
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        Stop(() => LogStoppedPlain(_logger, Name));
    }

    private static string ValidName(RtspPublishSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Name;
    }

    private async ValueTask<RtspPublishSession?> PrepareSessionAsync()
    {
        RtspPublishSession? slow = null;
        lock (_gate)
        {
            if (_state == RtspPublishState.Connecting && _session is not null
                && Stopwatch.GetElapsedTime(_connectStartedAt) > _options.ConnectTimeout)
            {
                slow = _session;
            }
        }

        // Reported through the session's end, which moves the sink to Reconnecting.
        slow?.Abandon(string.Create(CultureInfo.InvariantCulture, $"no session after {_options.ConnectTimeout.TotalSeconds:0.#} s"));

        RtspPublishSession? old = null;
        lock (_gate)
        {
            switch (_state)
            {
                case RtspPublishState.Stopped:
                    return null;
                case RtspPublishState.Reconnecting when Stopwatch.GetTimestamp() < _retryAt:
                    return null;
                case RtspPublishState.Reconnecting:
                    old = _session;
                    _session = null;
                    break;
                default:
                    if (_session is not null)
                    {
                        return _session;
                    }

                    break;
            }
        }

        if (old is not null)
        {
            // The failed session's ffmpeg was killed when it failed; let its exit be handled before releasing it.
            await old.DisposeAsync().ConfigureAwait(false);
        }

        return StartSession();
    }

    private RtspPublishSession StartSession()
    {
        var session = new RtspPublishSession(_options.WriteTimeout, _onLive, _onEnded);
        int attempt;
        lock (_gate)
        {
            // Installed before ffmpeg starts, so that none of its events can be taken for an old session's.
            _session = session;
            _connectStartedAt = Stopwatch.GetTimestamp();
            _state = RtspPublishState.Connecting;
            attempt = _failedAttempts + 1;
        }

        if (attempt == 1)
        {
            LogConnecting(_logger, Name, _displayUrl, _options.Transport);
        }
        else
        {
            LogConnectingAttempt(_logger, Name, _displayUrl, _options.Transport, attempt);
        }

        try
        {
            session.Start(onStderrLine => StartEncoder(Arguments(), onStderrLine));
        }
        catch (IOException)
        {
            lock (_gate)
            {
                _session = null;
            }

            throw;
        }

        return session;
    }

    private List<string> Arguments()
    {
        // 'level' tags each stderr line, so that errors can be told from information; 'info' is needed for the
        // "Output #0" line, which ffmpeg prints once the server has accepted the stream. -nostats: no per-frame lines.
        var encoding = new FfmpegEncoding("level+info", "libx264", _options.Preset, _options.Tune, Crf: null, _options.Threads, "yuv420p");
        List<string> args = EncoderArguments(encoding, _options.Fps, _options.KeyframeIntervalSeconds);
        args.AddRange(["-f", "rtsp", "-rtsp_transport", _options.Transport, _options.Url]);
        return args;
    }

    private void OnSessionLive(RtspPublishSession session)
    {
        long reconnect;
        lock (_gate)
        {
            if (session != _session || _stopping || _state != RtspPublishState.Connecting)
            {
                return;
            }

            _state = RtspPublishState.Live;
            _failedAttempts = 0;
            reconnect = _lostSession ? Interlocked.Increment(ref _reconnects) : 0;
            _lostSession = false;
        }

        if (reconnect == 0)
        {
            LogLive(_logger, Name, _displayUrl);
        }
        else
        {
            LogLiveAgain(_logger, Name, _displayUrl, reconnect);
        }
    }

    private void OnSessionEnded(RtspPublishSession session, string reason)
    {
        string what;
        TimeSpan delay = TimeSpan.Zero;
        bool giveUp;
        int reconnectAttempts;
        lock (_gate)
        {
            if (session != _session || _stopping || _state is RtspPublishState.Reconnecting or RtspPublishState.Stopped)
            {
                // A session that was already replaced, or a run that is ending.
                return;
            }

            what = _state == RtspPublishState.Live ? "lost the session" : "could not open a session";
            _failedAttempts++;
            _lostSession = true;

            // The first failure (a lost session, or a first start that failed) is not a reconnect attempt; each after it is.
            reconnectAttempts = _failedAttempts - 1;
            giveUp = !_options.Reconnect.AllowsAttemptAfter(reconnectAttempts);
            if (giveUp)
            {
                _state = RtspPublishState.Stopped;
                _stopping = true;
            }
            else
            {
                delay = _options.Reconnect.DelayFor(_failedAttempts);
                _retryAt = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                _state = RtspPublishState.Reconnecting;
            }
        }

        // ffmpeg's own text can quote the URL with its credentials.
        reason = UrlRedactor.Redact(reason);
        if (giveUp)
        {
            LogGaveUp(_logger, Name, what, _displayUrl, reason, reconnectAttempts);
        }
        else
        {
            LogReconnecting(_logger, Name, what, _displayUrl, reason, delay.TotalSeconds.ToString("0.0#", CultureInfo.InvariantCulture));
        }
    }

    private void Stop(Action log)
    {
        bool changed;
        lock (_gate)
        {
            _stopping = true;
            changed = _state != RtspPublishState.Stopped;
            _state = RtspPublishState.Stopped;
        }

        if (changed)
        {
            log();
        }
    }
}
