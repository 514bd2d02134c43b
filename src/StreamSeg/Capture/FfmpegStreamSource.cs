using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using StreamSeg.Memory;

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
/// </remarks>
public sealed class FfmpegStreamSource : IFrameSource
{
    private readonly SourceOptions _options;
    private readonly NativeMemoryWindow _window = new();
    private readonly List<string> _stderr = [];
    private Process? _ffmpeg;
    private Stream? _stdout;
    private long _frames;

    /// <summary>Creates the source; nothing is opened until <see cref="Open"/>.</summary>
    public FfmpegStreamSource(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
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

    private bool IsRtsp => _options.Uri.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public void Open()
    {
        Dispose();
        Probe();
        var psi = NewStartInfo(FfmpegPath);
        psi.RedirectStandardOutput = true;
        AddInputArguments(psi, probe: false);
        foreach (string a in new[] { "-map", "0:v:0", "-an", "-sn", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{Width}x{Height}", "-" })
        {
            psi.ArgumentList.Add(a);
        }

        _ffmpeg = StartProcess(psi);
        _ffmpeg.ErrorDataReceived += (_, e) => KeepStderr(e.Data);
        _ffmpeg.BeginErrorReadLine();
        _stdout = _ffmpeg.StandardOutput.BaseStream;
        _frames = 0;
    }

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
        using var timeout = new CancellationTokenSource(_options.EffectiveReadTimeout);
        int filled = 0;
        try
        {
            while (filled < length)
            {
                int n = _stdout.ReadAsync(memory[filled..], timeout.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }
        }
        catch (OperationCanceledException)
        {
            throw new SourceException($"Source '{Display}': no frame for {_options.EffectiveReadTimeout.TotalSeconds:0.#} s (the stream stalled).");
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
                throw new SourceException($"Source '{Display}': the stream ended before its first frame{LastError()}.");
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
    }

    private void Probe()
    {
        string ffprobe = Path.Combine(Path.GetDirectoryName(FfmpegPath) ?? string.Empty, "ffprobe");
        var psi = NewStartInfo(ffprobe);
        psi.RedirectStandardOutput = true;
        AddInputArguments(psi, probe: true);
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
        string[] fields = stdout.Result.Trim().Split('\n')[0].Split(',');
        if (probe.ExitCode != 0 || fields.Length < 2
            || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int h) || w <= 0 || h <= 0)
        {
            string why = FirstLine(stderr.Result);
            throw new SourceException($"Source '{Display}': could not be opened as a video stream ({(why.Length > 0 ? why : "no video stream found")}; expected a reachable rtsp/http video stream — check the host, port, path and credentials).");
        }

        Width = w;
        Height = h;
        Fps = fields.Length > 2 ? ParseRate(fields[2]) : 0;
        if (Fps <= 0 && fields.Length > 3)
        {
            Fps = ParseRate(fields[3]);
        }
    }

    private void AddInputArguments(ProcessStartInfo psi, bool probe)
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
            psi.ArgumentList.Add(_options.RtspTransport);
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

        foreach (string a in new[] { "-probesize", "500000", "-analyzeduration", "1000000", "-i", _options.Uri })
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

    private void KeepStderr(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Add(line);
            if (_stderr.Count > 20)
            {
                _stderr.RemoveAt(0);
            }
        }
    }

    private string LastError()
    {
        lock (_stderr)
        {
            return _stderr.Count == 0 ? string.Empty : $" ({_stderr[^1]})";
        }
    }

    private static double ParseRate(string rate)
    {
        string[] p = rate.Trim().Split('/');
        if (p.Length == 2 && double.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double n)
            && double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0)
        {
            double fps = n / d;
            return fps is > 0 and < 1000 ? fps : 0;
        }

        return 0;
    }

    private static string FirstLine(string text)
    {
        string t = text.Trim();
        int nl = t.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? t : t[..nl];
    }
}
