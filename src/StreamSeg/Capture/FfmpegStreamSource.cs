using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using StreamSeg.Memory;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StreamSeg.Capture;

/// <summary>
/// Reads a network stream (RTSP, HTTP, RTMP, UDP, SRT …) through a system <c>ffmpeg</c> child process that decodes
/// to raw BGR frames on its standard output.
/// </summary>
/// <remarks>
/// <para>Why a child process: the FFmpeg inside OpenCvSharp's official Linux runtime is built without networking, so
/// OpenCV cannot open any URL. The system ffmpeg can, and running it as a child also gives hard timeouts: opening is
/// bounded by <see cref="SourceOptions.OpenTimeout"/> (ffprobe is killed past it) and each frame read by
/// <see cref="SourceOptions.ReadTimeout"/>, so a dead server never blocks the pipeline forever.</para>
/// <para>Frames are read straight into the pooled image's memory, with no per-frame allocation. Low-latency input
/// flags (<c>-fflags nobuffer -flags low_delay</c>, for RTSP, RTMP, UDP and SRT) and a short probe keep the delay small. The child never outlives
/// the source: <see cref="Dispose"/> kills it. Credentials in the URL never appear in messages.</para>
/// <para>RTSP transport: <c>tcp</c> or <c>udp</c> forces one; <c>auto</c> (the default) tries TCP and, when the server
/// refuses it (400, 461 Unsupported Transport) or no packets come, UDP, and logs which one is used. The transport
/// is an argument of each child process, so sources with different transports never share a setting.</para>
/// <para>Reopening (after <see cref="ReconnectingSource"/> lost the stream) skips ffprobe, since the size is known,
/// uses the transport that worked, and counts as open only once the first frame has come: a reopen costs one decoder
/// start and the wait for a key frame, not two. The source is also a cheap <see cref="IReachabilityProbe"/>.</para>
/// </remarks>
public sealed partial class FfmpegStreamSource : IFrameSource, IReachabilityProbe
{
    private readonly SourceOptions _options;
    private readonly ILogger<FfmpegStreamSource> _logger;
    private readonly NativeMemoryWindow _window = new();
    private readonly StderrTail _stderr = new();
    private Process? _ffmpeg;
    private Stream? _stdout;
    private long _frames;
    private string? _transport;
    private byte[]? _firstFrame;
    private bool _firstFramePending;

    /// <summary>Creates the source; nothing is opened until <see cref="Open"/>.</summary>
    public FfmpegStreamSource(SourceOptions options, ILogger<FfmpegStreamSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RtspTransport is not ("auto" or "tcp" or "udp"))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RtspTransport, "RtspTransport must be auto, tcp or udp.");
        }

        _options = options;
        _logger = logger ?? NullLogger<FfmpegStreamSource>.Instance;
        Id = options.Id ?? VideoCaptureSource.DefaultId(options.Uri, SourceKind.Stream);
    }

    /// <summary>Gets or sets the ffmpeg executable (default <c>ffmpeg</c>; ffprobe is looked up beside it).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public SourceKind Kind => SourceKind.Stream;

    /// <inheritdoc/>
    public bool IsLive => true;

    /// <inheritdoc/>
    public double Fps { get; private set; }

    /// <inheritdoc/>
    public long? FrameCount => null;

    /// <inheritdoc/>
    public int Width { get; private set; }

    /// <inheritdoc/>
    public int Height { get; private set; }

    private string Display => UrlRedactor.Redact(_options.Uri);

    /// <summary>Gets the RTSP transport in use (<c>tcp</c> or <c>udp</c>) once opened; null before, and for other protocols.</summary>
    public string? RtspTransport => _transport;

    private bool IsRtsp => _options.Uri.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public void Open()
    {
        bool reopen = Width > 0 && Height > 0 && (_transport is not null || !IsRtsp);
        Dispose();
        if (!reopen)
        {
            OpenFirst();
        }

        StartDecoder(quickStart: reopen);
        if (reopen)
        {
            WaitForFirstFrame();
        }
    }

    /// <inheritdoc/>
    public SourceReachability Probe(TimeSpan timeout) => StreamReachability.Probe(_options.Uri, timeout);

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_stdout is null)
        {
            throw new InvalidOperationException($"Source '{Id}' is not open.");
        }

        if (target.Width != Width || target.Height != Height || target.Type() != MatType.CV_8UC3 || !target.IsContinuous())
        {
            target.Create(Height, Width, MatType.CV_8UC3);
        }

        int length = Width * Height * 3;
        Memory<byte> memory = _window.Wrap(target.Data, length);
        int filled;
        try
        {
            if (_firstFramePending)
            {
                // The frame a reopen waited for.
                _firstFrame!.AsSpan(0, length).CopyTo(memory.Span);
                _firstFramePending = false;
                filled = length;
            }
            else
            {
                filled = ReadFrame(memory, _options.EffectiveReadTimeout, "no frame for {0:0.#} s (the stream stalled)");
            }
        }
        finally
        {
            _window.Clear();
        }

        pts = Fps > 0 ? TimeSpan.FromSeconds(_frames / Fps) : TimeSpan.Zero;
        if (filled < length)
        {
            if (_frames == 0)
            {
                throw new SourceException($"Source '{Display}': the stream ended before its first frame{_stderr.LastAsSuffix()}.");
            }

            return false;
        }

        _frames++;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ffmpeg is not null)
        {
            try
            {
                if (!_ffmpeg.HasExited)
                {
                    _ffmpeg.Kill(entireProcessTree: true);
                    _ffmpeg.WaitForExit(2000);
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }

            _ffmpeg.Dispose();
            _ffmpeg = null;
        }

        _stdout = null;
        _firstFramePending = false;
    }

    // The first open: ffprobe for the size and rate, over each transport the options allow, in turn.
    private void OpenFirst()
    {
        if (!IsRtsp)
        {
            ProbeStream(null);
            return;
        }

        string[] transports = _options.RtspTransport == "auto" ? ["tcp", "udp"] : [_options.RtspTransport];
        var failures = new List<string>();
        for (int i = 0; i < transports.Length; i++)
        {
            try
            {
                ProbeStream(transports[i]);
                _transport = transports[i];
                LogTransport(_logger, Display, transports[i], _options.RtspTransport == "auto" ? " (auto)" : string.Empty);
                return;
            }
            catch (SourceException ex) when (i + 1 < transports.Length && !IsNotThere(ex.Message))
            {
                failures.Add($"{transports[i]}: {ex.Message}");
                LogTransportRefused(_logger, Display, transports[i], transports[i + 1], ex.Message);
            }
            catch (SourceException ex) when (transports.Length > 1 || failures.Count > 0)
            {
                throw new SourceException($"{ex.Message.TrimEnd('.')} (RTSP transports tried: {string.Join(", ", transports[..(i + 1)])}).", ex);
            }
        }
    }

    // A failure no other transport can cure: nothing listens, or the server has no such stream or wants credentials.
    private static bool IsNotThere(string message) =>
        message.Contains("Connection refused", StringComparison.OrdinalIgnoreCase)
        || message.Contains("404", StringComparison.Ordinal)
        || message.Contains("401", StringComparison.Ordinal)
        || message.Contains("No route to host", StringComparison.OrdinalIgnoreCase)
        || message.Contains("not known", StringComparison.OrdinalIgnoreCase);

    private void StartDecoder(bool quickStart)
    {
        var psi = NewStartInfo(FfmpegPath);
        psi.RedirectStandardOutput = true;
        AddInputArguments(psi, probe: false, _transport, quickStart);
        foreach (string a in new[] { "-map", "0:v:0", "-an", "-sn", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{Width}x{Height}", "-" })
        {
            psi.ArgumentList.Add(a);
        }

        _stderr.Clear();

        _ffmpeg = StartProcess(psi);
        _ffmpeg.ErrorDataReceived += (_, e) => _stderr.Add(e.Data);
        _ffmpeg.BeginErrorReadLine();
        _stdout = _ffmpeg.StandardOutput.BaseStream;
        _frames = 0;
    }

    // A reopen counts once a whole frame has come, within the open timeout; Read hands that frame out first.
    private void WaitForFirstFrame()
    {
        int length = Width * Height * 3;
        if (_firstFrame is null || _firstFrame.Length < length)
        {
            _firstFrame = new byte[length];
        }

        int filled;
        try
        {
            filled = ReadFrame(_firstFrame.AsMemory(0, length), _options.EffectiveOpenTimeout, "could not open the stream within {0:0.#} s (expected a reachable video stream; check the host, port and path)");
        }
        catch (SourceException)
        {
            Dispose();
            throw;
        }

        if (filled < length)
        {
            // Exited (it closed its output): the parameterless wait also drains its standard error, for the reason.
            if (_ffmpeg is { } ffmpeg && ffmpeg.WaitForExit(1000))
            {
                ffmpeg.WaitForExit();
            }

            string why = _stderr.LastAsSuffix();
            Dispose();
            throw new SourceException($"Source '{Display}': the stream ended before its first frame{why}.");
        }

        _firstFramePending = true;
    }

    // Reads up to memory.Length bytes; a timeout becomes a SourceException with the message (its {0} the seconds).
    private int ReadFrame(Memory<byte> memory, TimeSpan timeout, string timeoutMessage)
    {
        using var cts = new CancellationTokenSource(timeout);
        int filled = 0;
        try
        {
            while (filled < memory.Length)
            {
                int n = _stdout!.ReadAsync(memory[filled..], cts.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }
        }
        catch (OperationCanceledException)
        {
            throw new SourceException($"Source '{Display}': {string.Format(CultureInfo.InvariantCulture, timeoutMessage, timeout.TotalSeconds)}.");
        }

        return filled;
    }

    private void ProbeStream(string? transport)
    {
        string ffprobe = Path.Combine(Path.GetDirectoryName(FfmpegPath) ?? string.Empty, "ffprobe");
        var psi = NewStartInfo(ffprobe);
        psi.RedirectStandardOutput = true;
        AddInputArguments(psi, probe: true, transport, quickStart: false);
        foreach (string a in new[] { "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "csv=p=0" })
        {
            psi.ArgumentList.Add(a);
        }

        using Process probe = StartProcess(psi);
        Task<string> stdout = probe.StandardOutput.ReadToEndAsync();
        Task<string> stderr = probe.StandardError.ReadToEndAsync();
        if (!probe.WaitForExit(_options.EffectiveOpenTimeout))
        {
            probe.Kill(entireProcessTree: true);
            throw new SourceException($"Source '{Display}': could not open the stream within {_options.EffectiveOpenTimeout.TotalSeconds:0.#} s (expected a reachable video stream; check the host, port and path).");
        }

        probe.WaitForExit();
        if (probe.ExitCode != 0 || !FfprobeOutput.TryParse(stdout.Result, out int w, out int h, out double fps))
        {
            string why = FfprobeOutput.FirstLine(stderr.Result);
            throw new SourceException($"Source '{Display}': could not be opened as a video stream ({(why.Length > 0 ? why : "no video stream found")}; expected a reachable rtsp/http video stream — check the host, port, path and credentials).");
        }

        Width = w;
        Height = h;
        Fps = fps;
    }

    // quickStart (a reopen, the size known): for RTSP, whose SDP already names the codec, decode from the first key
    // frame instead of analysing a second of stream first.
    private void AddInputArguments(ProcessStartInfo psi, bool probe, string? transport, bool quickStart)
    {
        psi.ArgumentList.Add("-v");
        psi.ArgumentList.Add("error");
        if (!probe)
        {
            psi.ArgumentList.Add("-nostdin");
        }

        long readMicros = (long)_options.EffectiveReadTimeout.TotalMicroseconds;
        if (IsRtsp)
        {
            psi.ArgumentList.Add("-rtsp_transport");
            psi.ArgumentList.Add(transport ?? "tcp");
            psi.ArgumentList.Add("-timeout");
            psi.ArgumentList.Add(readMicros.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            psi.ArgumentList.Add("-rw_timeout");
            psi.ArgumentList.Add(readMicros.ToString(CultureInfo.InvariantCulture));
        }

        // Low-latency flags only for real-time protocols: over HTTP (often a file served progressively) 'nobuffer'
        // discards the frames read while probing.
        if (!_options.Uri.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            foreach (string a in new[] { "-fflags", "nobuffer", "-flags", "low_delay" })
            {
                psi.ArgumentList.Add(a);
            }
        }

        bool quick = quickStart && IsRtsp;
        foreach (string a in new[] { "-probesize", quick ? "32" : "500000", "-analyzeduration", quick ? "0" : "1000000", "-i", _options.Uri })
        {
            psi.ArgumentList.Add(a);
        }
    }

    private static ProcessStartInfo NewStartInfo(string exe) => new(exe)
    {
        UseShellExecute = false,
        RedirectStandardError = true,
        RedirectStandardInput = false,
    };

    private Process StartProcess(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new SourceException($"Source '{Display}': '{psi.FileName}' did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new SourceException($"Source '{Display}': '{psi.FileName}' could not be started ({ex.Message}); network streams are read through the system ffmpeg (apt install ffmpeg).", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{Source}': RTSP over {Transport}{Mode}")]
    private static partial void LogTransport(ILogger logger, string source, string transport, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{Source}': RTSP over {Transport} failed, trying {Next} ({Reason})")]
    private static partial void LogTransportRefused(ILogger logger, string source, string transport, string next, string reason);
}
