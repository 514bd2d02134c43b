using System.Globalization;
using OpenCvSharp;

namespace StreamSeg.Sinks;

/// <summary>
/// One ffmpeg process publishing to an RTSP server, from its start to its end: the writes (each bounded by a
/// watchdog), the reading of ffmpeg's stderr (the server's acceptance, the first error), and its exit. A session goes
/// live at most once and ends exactly once; <see cref="RtspPublishSink"/> starts a new session to reconnect.
/// </summary>
/// <remarks>
/// The session tells its owner through two callbacks, always outside its own lock and never more than once each:
/// <c>onLive</c> when ffmpeg reports its output open (the server accepted ANNOUNCE/SETUP/RECORD), and <c>onEnded</c>
/// with the reason the session is over: ffmpeg exited (with ffmpeg's first error line), a write failed, a write took
/// longer than the write timeout (a stalled server: ffmpeg is killed, which ends the blocked write), the pipeline
/// cancelled a write, or the owner gave up on it (<see cref="Abandon"/>). Callbacks arrive on thread-pool threads as
/// well as on the writer's.
/// </remarks>
internal sealed class RtspPublishSession : IAsyncDisposable
{
    private static readonly TimeSpan s_exitWait = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_disposeWait = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _writeTimeout;
    private readonly Action<RtspPublishSession> _onLive;
    private readonly Action<RtspPublishSession, string> _onEnded;
    private readonly Lock _gate = new();
    private readonly Timer _watchdog;
    private FfmpegEncoderProcess? _encoder;
    private Task _monitor = Task.CompletedTask;
    private string? _firstError;
    private bool _live;
    private bool _ended;
    private long _writeDeadline;
    private int _writeState; // 0 idle, 1 a write is running, 2 the write timed out and ffmpeg was killed

    /// <summary>Creates a session that is not started yet; see <see cref="Start"/>.</summary>
    /// <param name="writeTimeout">How long one frame may take to go into ffmpeg before the server is taken as stalled.</param>
    /// <param name="onLive">Called once when the server has accepted the stream.</param>
    /// <param name="onEnded">Called once, with the reason, when the session is over.</param>
    public RtspPublishSession(TimeSpan writeTimeout, Action<RtspPublishSession> onLive, Action<RtspPublishSession, string> onEnded)
    {
        _writeTimeout = writeTimeout;
        _onLive = onLive;
        _onEnded = onEnded;
        _watchdog = new Timer(static s => ((RtspPublishSession)s!).OnWriteTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets ffmpeg's process id, or null before <see cref="Start"/>.</summary>
    public int? ProcessId => _encoder?.Id;

    /// <summary>Gets whether the server accepted the stream.</summary>
    public bool IsLive
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>Gets ffmpeg's first error line (the reason a session fails: refused, 403 …), or null when there was none.</summary>
    public string? FirstError
    {
        get
        {
            lock (_gate)
            {
                return _firstError;
            }
        }
    }

    /// <summary>Starts ffmpeg through <paramref name="startEncoder"/>, which is given the stderr handler, and begins watching its exit.</summary>
    /// <exception cref="IOException">ffmpeg could not be started.</exception>
    public void Start(Func<Action<FfmpegEncoderProcess, string>, FfmpegEncoderProcess> startEncoder)
    {
        ArgumentNullException.ThrowIfNull(startEncoder);
        if (_encoder is not null)
        {
            throw new InvalidOperationException("The session has already been started.");
        }

        try
        {
            _encoder = startEncoder(OnStderrLine);
        }
        catch
        {
            // Nothing started: the watchdog is all there is to release.
            _watchdog.Dispose();
            throw;
        }

        _monitor = MonitorAsync(_encoder);
    }

    /// <summary>
    /// Writes <paramref name="image"/> to ffmpeg; returns false, without throwing, when the frame did not get through
    /// (the session has then ended). Returns only when ffmpeg has taken the pixels or the write has failed.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled; the session ends, since part of a frame may have been sent.</exception>
    public async ValueTask<bool> WriteAsync(Mat image, CancellationToken cancellationToken)
    {
        FfmpegEncoderProcess encoder = _encoder ?? throw new InvalidOperationException("The session has not been started.");
        lock (_gate)
        {
            _writeDeadline = Environment.TickCount64 + (long)_writeTimeout.TotalMilliseconds;
            _writeState = 1;
        }

        _watchdog.Change(_writeTimeout, Timeout.InfiniteTimeSpan);
        string? failure = null;
        bool timedOut;
        try
        {
            await encoder.WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            failure = $"ffmpeg stopped taking frames ({ex.Message})";
        }
        catch (OperationCanceledException)
        {
            // A cancelled write may have sent part of a frame, which would shift every later one: this session is done.
            Disarm();
            End("the pipeline cancelled a write", kill: true);
            throw;
        }
        finally
        {
            timedOut = Disarm();
        }

        if (timedOut)
        {
            // The watchdog has reported the stall and killed ffmpeg, which ended the write.
            return false;
        }

        if (failure is not null)
        {
            // A broken pipe means ffmpeg is exiting: give the exit a moment to be reported with ffmpeg's own reason
            // (refused, 403 …), which says more than "Broken pipe".
            await WaitForExitReportAsync(s_exitWait).ConfigureAwait(false);
            End(failure, kill: true);
            return false;
        }

        return true;
    }

    /// <summary>Ends the session with <paramref name="reason"/> (ffmpeg's first error is appended) and kills ffmpeg; used for a session that took too long to open.</summary>
    public void Abandon(string reason) => End(reason + ErrorSuffix(), kill: true);

    /// <summary>
    /// Closes ffmpeg's input so that it sends what it holds and ends the RTSP session, and waits up to
    /// <paramref name="timeout"/> for it to exit; kills it otherwise. Returns whether it exited by itself.
    /// </summary>
    public async ValueTask<bool> CloseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        FfmpegEncoderProcess? encoder = _encoder;
        if (encoder is null || encoder.HasExited)
        {
            return true;
        }

        return await encoder.FinishAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills ffmpeg if it still runs, waits (bounded) until its exit has been handled, and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync().ConfigureAwait(false);
        FfmpegEncoderProcess? encoder = _encoder;
        if (encoder is null)
        {
            return;
        }

        try
        {
            encoder.Kill();

            // The monitor waits for the exit; wait for it (bounded) so that no callback runs after disposal.
            await _monitor.WaitAsync(s_disposeWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A killed process that has not been reaped within the wait is left to the runtime; it no longer runs.
        }
        finally
        {
            encoder.Dispose();
        }
    }

    private async Task MonitorAsync(FfmpegEncoderProcess encoder)
    {
        try
        {
            await encoder.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Disposed while waiting: the owner is shutting down and nothing is left to report.
            return;
        }

        string exit = encoder.HasExited ? string.Create(CultureInfo.InvariantCulture, $"ffmpeg exited with code {encoder.ExitCode}") : "ffmpeg exited";
        End(exit + ErrorSuffix(), kill: false);
    }

    private async ValueTask WaitForExitReportAsync(TimeSpan timeout)
    {
        try
        {
            await _monitor.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // ffmpeg has not exited yet; the write's own reason is reported instead.
        }
    }

    private void OnStderrLine(FfmpegEncoderProcess encoder, string line)
    {
        int error = line.IndexOf("[error] ", StringComparison.Ordinal);
        if (error < 0)
        {
            error = line.IndexOf("[fatal] ", StringComparison.Ordinal);
        }

        if (error >= 0)
        {
            lock (_gate)
            {
                // The first error says why (connection refused, 403 …); the ones after it are consequences.
                _firstError ??= line[(error + 8)..].Trim();
            }

            return;
        }

        if (!line.Contains("] Output #", StringComparison.Ordinal))
        {
            return;
        }

        lock (_gate)
        {
            if (_live || _ended)
            {
                return;
            }

            _live = true;
        }

        _onLive(this);
    }

    private void OnWriteTimeout()
    {
        lock (_gate)
        {
            if (_writeState != 1)
            {
                return;
            }

            long left = _writeDeadline - Environment.TickCount64;
            if (left > 0)
            {
                // A late callback of an earlier write, or an early one: wait for this write's own deadline.
                _watchdog.Change(TimeSpan.FromMilliseconds(left), Timeout.InfiniteTimeSpan);
                return;
            }

            _writeState = 2;
        }

        // Reported before the kill, so that the owner names the stall rather than the exit the kill causes; killing
        // ffmpeg closes the pipe, which ends the blocked write with an error, so the frame's memory is the caller's again.
        End(string.Create(CultureInfo.InvariantCulture, $"ffmpeg took no frame for {_writeTimeout.TotalSeconds:0.##} s, server stalled; killed it"), kill: true);
    }

    /// <summary>Ends the write watchdog; returns whether the write had timed out.</summary>
    private bool Disarm()
    {
        int state;
        lock (_gate)
        {
            state = _writeState;
            _writeState = 0;
        }

        if (state == 1)
        {
            _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        return state == 2;
    }

    private void End(string reason, bool kill)
    {
        bool first;
        lock (_gate)
        {
            first = !_ended;
            _ended = true;
        }

        if (first)
        {
            _onEnded(this, reason);
        }

        if (kill)
        {
            // Killing a session that is already over is harmless; one that is stalled or half-written must not go on.
            _encoder?.Kill();
        }
    }

    private string ErrorSuffix()
    {
        string? error = FirstError;
        return error is null ? "" : ": " + error;
    }
}
