using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

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
/// accepted the stream. The delay starts at <see cref="RtspPublishSinkOptions.InitialBackoff"/> (0.5 s), doubles after
/// each failed attempt up to <see cref="RtspPublishSinkOptions.MaxBackoff"/> (10 s), is shortened by a random jitter,
/// and starts over once a session is live. Reconnecting is driven by frames, so a sink that gets no frames makes no attempts;
/// the frame that starts an attempt waits until the new ffmpeg reads it (its start-up, typically 0.1–0.2 s, never
/// more than the write timeout).
/// Only a missing ffmpeg executable, a frame that is not 8-bit BGR, or a change of frame size raise exceptions.
/// </para>
/// <para>
/// Each state change writes one line to <see cref="RtspPublishSinkOptions.Log"/>; credentials in the URL are
/// redacted from it and from every message. (The URL, credentials included, is on ffmpeg's command line, which other
/// local users can see.) <see cref="CompleteAsync"/> closes ffmpeg's stdin so that it sends what it has, waits up to
/// <see cref="RtspPublishSinkOptions.CompleteTimeout"/>, then kills it; <see cref="DisposeAsync"/> kills it at once.
/// Options cannot change while running. Example:
/// <c>new RtspPublishSink(new RtspPublishSinkOptions("rtsp://127.0.0.1:8554/out") { Fps = 25, Transport = "tcp" })</c>.
/// </para>
/// </remarks>
public sealed class RtspPublishSink : ISink
{
    private static readonly TimeSpan s_disposeWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_exitWait = TimeSpan.FromMilliseconds(250);
    private readonly RtspPublishSinkOptions _options;
    private readonly TextWriter _log;
    private readonly string _displayUrl;
    private readonly Action<FfmpegEncoderProcess, string> _onStderrLine;

    // Guards the state below: WriteAsync runs on the pipeline's thread, while ffmpeg's exit, its stderr lines and the
    // write timeout arrive on thread-pool threads.
    private readonly object _gate = new();
    private readonly Timer _writeTimer;
    private FfmpegEncoderProcess? _encoder;
    private Task _monitor = Task.CompletedTask;
    private RtspPublishState _state = RtspPublishState.Connecting;
    private string? _sessionError;
    private bool _lostSession;
    private bool _stopping;
    private int _failedAttempts;
    private long _connectStartedAt;
    private long _retryAt;
    private FfmpegEncoderProcess? _writing;
    private long _writeDeadline;
    private int _writeArmed; // 0 idle, 1 a write is running, 2 the write timed out and ffmpeg was killed

    private long _framesWritten;
    private long _dropped;
    private long _reconnects;
    private int _width;
    private int _height;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink and validates <paramref name="options"/>; nothing is started until the first frame.</summary>
    public RtspPublishSink(RtspPublishSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = options.Log ?? Console.Error;
        _displayUrl = UrlRedactor.Redact(options.Url);
        _onStderrLine = OnStderrLine;
        _writeTimer = new Timer(static s => ((RtspPublishSink)s!).OnWriteTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

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
                return _encoder?.Id;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Returns without sending (and counts the frame in <see cref="Dropped"/>) while the sink is reconnecting.</remarks>
    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"Publish sink '{Name}' for '{_displayUrl}' is already complete.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        Mat image = frame.Image;
        if (image.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"Publish sink '{Name}' takes 8-bit BGR frames (CV_8UC3); got {image.Type()}.", nameof(frame));
        }

        if (_width == 0)
        {
            _width = image.Width;
            _height = image.Height;
        }
        else if (image.Width != _width || image.Height != _height)
        {
            throw new InvalidOperationException(
                $"Publish sink '{Name}' for '{_displayUrl}' was started at {_width}×{_height}; frame {frame.Meta.Index} is {image.Width}×{image.Height}.");
        }

        FfmpegEncoderProcess? encoder = await PrepareEncoderAsync().ConfigureAwait(false);
        if (encoder is null)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        lock (_gate)
        {
            _writing = encoder;
            _writeDeadline = Stopwatch.GetTimestamp() + (long)(_options.WriteTimeout.TotalSeconds * Stopwatch.Frequency);
            _writeArmed = 1;
        }

        _writeTimer.Change(_options.WriteTimeout, Timeout.InfiniteTimeSpan);
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
            Interlocked.Increment(ref _dropped);
            Fail(encoder, "the pipeline cancelled a write");
            throw;
        }
        finally
        {
            timedOut = Disarm();
        }

        if (timedOut)
        {
            failure = StallReason();
        }

        if (failure is not null)
        {
            Interlocked.Increment(ref _dropped);
            if (!timedOut)
            {
                // A broken pipe means ffmpeg is exiting: give its monitor a moment to report the exit with ffmpeg's own
                // reason (refused, 403 …), which is more useful in the log than "Broken pipe". Once per lost session.
                await WaitForMonitorAsync(encoder).ConfigureAwait(false);
            }

            Fail(encoder, failure);
            return;
        }

        Interlocked.Increment(ref _framesWritten);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Closes ffmpeg's stdin so that it sends the frames it holds and ends the session, waits up to
    /// <see cref="RtspPublishSinkOptions.CompleteTimeout"/>, then kills it. A lost server is not an error here.
    /// </remarks>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        FfmpegEncoderProcess? encoder;
        lock (_gate)
        {
            // From here on ffmpeg's exit is the end of the run, not a lost session.
            _stopping = true;
            encoder = _encoder;
        }

        string how = "";
        if (encoder is not null && !encoder.HasExited)
        {
            encoder.CloseInput();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CompleteTimeout);
            try
            {
                await encoder.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!encoder.HasExited)
            {
                encoder.Kill();
                how = string.Create(CultureInfo.InvariantCulture, $"; ffmpeg did not finish within {_options.CompleteTimeout.TotalSeconds:0.#} s and was killed");
                if (cancellationToken.IsCancellationRequested)
                {
                    Stop($"stopped (cancelled){how}");
                    throw;
                }
            }
        }

        Stop($"stopped after {FramesWritten} frames sent, {Dropped} dropped, {Reconnects} reconnects{how}");
    }

    /// <inheritdoc/>
    /// <remarks>Kills ffmpeg at once if it is still running (call <see cref="CompleteAsync"/> first to end the stream cleanly).</remarks>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        FfmpegEncoderProcess? encoder;
        Task monitor;
        lock (_gate)
        {
            _stopping = true;
            encoder = _encoder;
            _encoder = null;
            monitor = _monitor;
        }

        await _writeTimer.DisposeAsync().ConfigureAwait(false);
        if (encoder is not null)
        {
            try
            {
                encoder.Kill();

                // The monitor waits for the exit; wait for it (bounded) so that no callback runs after disposal.
                await monitor.WaitAsync(s_disposeWait).ConfigureAwait(false);
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

        Stop("stopped");
    }

    private async ValueTask<FfmpegEncoderProcess?> PrepareEncoderAsync()
    {
        FfmpegEncoderProcess? old = null;
        Task oldMonitor;
        lock (_gate)
        {
            if (_state == RtspPublishState.Connecting && _encoder is not null
                && Stopwatch.GetElapsedTime(_connectStartedAt) > _options.ConnectTimeout)
            {
                FailLocked(_encoder, string.Create(CultureInfo.InvariantCulture,
                    $"no session after {_options.ConnectTimeout.TotalSeconds:0.#} s{ErrorSuffix()}"));
                _encoder.Kill();
            }

            if (_state == RtspPublishState.Reconnecting)
            {
                if (Stopwatch.GetTimestamp() < _retryAt)
                {
                    return null;
                }

                old = _encoder;
                _encoder = null;
            }

            if (_encoder is not null)
            {
                return _encoder;
            }

            oldMonitor = _monitor;
        }

        if (old is not null)
        {
            // The failed session's ffmpeg was killed when it failed; let its monitor see the exit before releasing it.
            old.Kill();
            try
            {
                await oldMonitor.WaitAsync(s_disposeWait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Not reaped yet; it has been killed, and disposing below releases our handles to it.
            }

            old.Dispose();
        }

        return Start();
    }

    private FfmpegEncoderProcess Start()
    {
        var args = new List<string>();
        AddArguments(args);
        FfmpegEncoderProcess encoder;
        try
        {
            encoder = FfmpegEncoderProcess.Start(_options.FfmpegPath, args, _onStderrLine);
        }
        catch (Win32Exception ex)
        {
            throw new IOException(
                $"Cannot publish to '{_displayUrl}': ffmpeg ('{_options.FfmpegPath}') could not be started ({ex.Message}). Install ffmpeg or set FfmpegPath.", ex);
        }

        lock (_gate)
        {
            _encoder = encoder;
            _sessionError = null;
            _connectStartedAt = Stopwatch.GetTimestamp();
            string attempt = _failedAttempts == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" (attempt {_failedAttempts + 1})");
            SetStateLocked(RtspPublishState.Connecting, $"connecting to {_displayUrl} over {_options.Transport}{attempt}");
            _monitor = MonitorAsync(encoder);
        }

        return encoder;
    }

    private void AddArguments(List<string> args)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;

        // 'level' tags each stderr line, so that errors can be told from information; 'info' is needed for the
        // "Output #0" line, which ffmpeg prints once the server has accepted the stream. -nostats: no per-frame lines.
        args.AddRange(["-hide_banner", "-nostats", "-loglevel", "level+info"]);
        FfmpegEncoderProcess.AddRawVideoInput(args, _width, _height, _options.Fps);
        args.AddRange(["-an", "-c:v", "libx264", "-preset", _options.Preset]);
        if (!string.IsNullOrEmpty(_options.Tune))
        {
            args.AddRange(["-tune", _options.Tune]);
        }

        args.AddRange(["-threads", _options.Threads.ToString(inv),
            "-g", FfmpegEncoderProcess.GopFrames(_options.Fps, _options.KeyframeIntervalSeconds).ToString(inv),
            "-pix_fmt", "yuv420p"]);
        FfmpegEncoderProcess.AddEvenSizePadding(args, _width, _height);
        args.AddRange(["-f", "rtsp", "-rtsp_transport", _options.Transport, _options.Url]);
    }

    private async ValueTask WaitForMonitorAsync(FfmpegEncoderProcess encoder)
    {
        Task monitor;
        lock (_gate)
        {
            if (encoder != _encoder)
            {
                return;
            }

            monitor = _monitor;
        }

        try
        {
            await monitor.WaitAsync(s_exitWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // ffmpeg has not exited yet; the write's own reason is reported instead.
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
            // Disposed while waiting: the sink is shutting down and nothing is left to report.
            return;
        }

        string exit = encoder.HasExited ? string.Create(CultureInfo.InvariantCulture, $"ffmpeg exited with code {encoder.ExitCode}") : "ffmpeg exited";
        lock (_gate)
        {
            FailLocked(encoder, exit + ErrorSuffix());
        }
    }

    private void OnStderrLine(FfmpegEncoderProcess encoder, string line)
    {
        int error = line.IndexOf("[error] ", StringComparison.Ordinal);
        if (error < 0)
        {
            error = line.IndexOf("[fatal] ", StringComparison.Ordinal);
        }

        bool live = error < 0 && line.Contains("] Output #", StringComparison.Ordinal);
        if (error < 0 && !live)
        {
            return;
        }

        lock (_gate)
        {
            if (encoder != _encoder || _stopping)
            {
                return;
            }

            if (error >= 0)
            {
                // The first error says why (connection refused, 403 …); the ones after it are consequences.
                _sessionError ??= line[(error + 8)..].Trim();
                return;
            }

            if (_state != RtspPublishState.Connecting)
            {
                return;
            }

            _failedAttempts = 0;
            if (_lostSession)
            {
                _lostSession = false;
                long n = Interlocked.Increment(ref _reconnects);
                SetStateLocked(RtspPublishState.Live, string.Create(CultureInfo.InvariantCulture, $"live on {_displayUrl} again (reconnect {n})"));
            }
            else
            {
                SetStateLocked(RtspPublishState.Live, $"live on {_displayUrl}");
            }
        }
    }

    private void Fail(FfmpegEncoderProcess encoder, string reason)
    {
        lock (_gate)
        {
            FailLocked(encoder, reason);
        }

        // Killing a session that is already over is harmless; one that is stalled or half-written must not go on.
        encoder.Kill();
    }

    private void FailLocked(FfmpegEncoderProcess encoder, string reason)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "FailLocked needs the gate");
        if (encoder != _encoder || _stopping || _state == RtspPublishState.Reconnecting)
        {
            // A session that was already replaced, or already failed for another reason (a failed write and ffmpeg's exit both report it).
            return;
        }

        TimeSpan delay = NextBackoff();
        _retryAt = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        string what = _state == RtspPublishState.Live ? "lost the session" : "could not open a session";
        _lostSession = true;
        SetStateLocked(RtspPublishState.Reconnecting, string.Create(CultureInfo.InvariantCulture,
            $"{what} on {_displayUrl} ({reason}); reconnecting in {delay.TotalSeconds:0.0#} s"));
    }

    private TimeSpan NextBackoff()
    {
        double initial = _options.InitialBackoff.TotalSeconds;
        double max = _options.MaxBackoff.TotalSeconds;
        double delay = Math.Min(max, initial * Math.Pow(2, Math.Min(_failedAttempts, 30)));
        _failedAttempts++;
        return TimeSpan.FromSeconds(delay * (1 - (_options.BackoffJitter * Random.Shared.NextDouble())));
    }

    private string StallReason() => string.Create(CultureInfo.InvariantCulture,
        $"ffmpeg took no frame for {_options.WriteTimeout.TotalSeconds:0.##} s, server stalled; killed it");

    private string ErrorSuffix() => _sessionError is null ? "" : ": " + _sessionError;

    private void OnWriteTimeout()
    {
        FfmpegEncoderProcess? stalled = null;
        lock (_gate)
        {
            if (_writeArmed != 1)
            {
                return;
            }

            long now = Stopwatch.GetTimestamp();
            if (now < _writeDeadline)
            {
                // A late callback of an earlier write, or an early one: wait for this write's own deadline.
                _writeTimer.Change(Stopwatch.GetElapsedTime(now, _writeDeadline), Timeout.InfiniteTimeSpan);
                return;
            }

            _writeArmed = 2;
            stalled = _writing;
            if (stalled is not null)
            {
                // Recorded before the kill, so that the log names the stall rather than the exit the kill causes.
                FailLocked(stalled, StallReason());
            }
        }

        // Killing ffmpeg closes the pipe, which ends the blocked write with an error: the frame's memory is then ours again.
        stalled?.Kill();
    }

    /// <summary>Ends the write-timeout watch; returns whether the write had timed out.</summary>
    private bool Disarm()
    {
        int armed;
        lock (_gate)
        {
            armed = _writeArmed;
            _writeArmed = 0;
            _writing = null;
        }

        if (armed == 1)
        {
            _writeTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        return armed == 2;
    }

    private void Stop(string message)
    {
        lock (_gate)
        {
            _stopping = true;
            if (_state != RtspPublishState.Stopped)
            {
                SetStateLocked(RtspPublishState.Stopped, message);
            }
        }
    }

    private void SetStateLocked(RtspPublishState state, string message)
    {
        _state = state;

        // The URL is redacted where it is built; redacting the whole line also covers ffmpeg's own text (its errors can quote the URL).
        _log.WriteLine(UrlRedactor.Redact($"{Name}: {message}"));
    }
}
