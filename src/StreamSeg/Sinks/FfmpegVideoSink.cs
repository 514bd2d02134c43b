using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>Encodes frames to a video file by piping raw BGR pixels into an <c>ffmpeg</c> child process.</summary>
/// <remarks>
/// <para>
/// ffmpeg is started lazily on the first frame, whose size fixes the stream size (a later frame of another size is an
/// error): <c>ffmpeg -f rawvideo -pix_fmt bgr24 -s WxH -r fps -i - -c:v libx264 -preset veryfast -crf 23 -pix_fmt
/// yuv420p …</c>. Odd sizes are padded by one pixel, since 4:2:0 needs even sizes. Each frame's pixels are written
/// to ffmpeg's stdin straight from the <see cref="Mat"/>'s native memory, without a managed copy; a full pipe
/// makes <see cref="WriteAsync"/> wait, which is the sink's backpressure.
/// </para>
/// <para>
/// MP4 output is fragmented by default (<c>-movflags +frag_keyframe+empty_moov+default_base_moof</c>): the header
/// is written first and each keyframe (every <see cref="FfmpegVideoSinkOptions.KeyframeIntervalSeconds"/>) closes
/// a fragment, and <c>-flush_packets 1</c> pushes every fragment to disk at once, so the file stays playable up to
/// the last fragment even if we or ffmpeg are killed. <c>+faststart</c>
/// gives slightly better seeking in some players but needs a rewrite at the end, and a run cut short leaves an
/// unplayable file; for a live pipeline that can be stopped at any time, fragmented is the safer default.
/// </para>
/// <para>
/// <see cref="CompleteAsync"/> closes stdin and waits (up to <see cref="FfmpegVideoSinkOptions.CompleteTimeout"/>)
/// for ffmpeg to finish, then kills it. <see cref="DisposeAsync"/> does the same with a short grace period, so the
/// child never outlives the sink; if our process dies without disposing, ffmpeg sees end-of-file on stdin, finishes
/// the file and exits by itself. A missing ffmpeg, or one that exits early, raises an <see cref="IOException"/>
/// naming the output path and quoting ffmpeg's last stderr lines. The output directory is checked for write access
/// in the constructor. Example: <c>new FfmpegVideoSink(new FfmpegVideoSinkOptions("out/run.mp4") { Fps = 25 })</c>.
/// </para>
/// </remarks>
public sealed class FfmpegVideoSink : ISink
{
    private const int StderrLinesKept = 20;
    private static readonly TimeSpan s_disposeGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_failureWait = TimeSpan.FromSeconds(2);
    private readonly FfmpegVideoSinkOptions _options;
    private readonly Queue<string> _stderrTail = new(StderrLinesKept);
    private readonly NativeMemoryWindow _native = new();
    private Process? _process;
    private Stream? _stdin;
    private int _width;
    private int _height;
    private long _framesWritten;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink; validates <paramref name="options"/> and checks that the output directory is writable.</summary>
    /// <exception cref="IOException">The output path cannot be written.</exception>
    public FfmpegVideoSink(FfmpegVideoSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        OutputPath = OutputPaths.EnsureWritableFile(options.Path, "video output");
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets the full path of the output file.</summary>
    public string OutputPath { get; }

    /// <summary>Gets how many frames have been handed to ffmpeg.</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Gets the process id of the running encoder, or null before the first frame (tests use it to simulate a crash).</summary>
    internal int? EncoderProcessId => _process?.Id;

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"Video sink '{Name}' for '{OutputPath}' is already complete.");
        }

        Mat image = frame.Image;
        if (image.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"Video sink '{Name}' takes 8-bit BGR frames (CV_8UC3); got {image.Type()}.", nameof(frame));
        }

        if (_process is null)
        {
            Start(image.Width, image.Height);
        }
        else if (image.Width != _width || image.Height != _height)
        {
            throw new InvalidOperationException(
                $"Video sink '{Name}' for '{OutputPath}' was started at {_width}×{_height}; frame {frame.Meta.Index} is {image.Width}×{image.Height}.");
        }

        Stream stdin = _stdin!;
        int rowBytes = _width * 3;
        try
        {
            if (image.IsContinuous())
            {
                await stdin.WriteAsync(_native.Wrap(image.Data, checked(rowBytes * _height)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                for (int y = 0; y < _height; y++)
                {
                    await stdin.WriteAsync(_native.Wrap(image.Ptr(y), rowBytes), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (IOException ex)
        {
            throw await EncoderFailedAsync($"ffmpeg stopped accepting frames after {FramesWritten}", ex).ConfigureAwait(false);
        }
        finally
        {
            // The wrapped pointer belongs to the frame, which the caller may release as soon as we return.
            _native.Clear();
        }

        Interlocked.Increment(ref _framesWritten);
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        Process? process = _process;
        if (process is null)
        {
            // No frame ever came, so there is no video to finish (and no file is created).
            return;
        }

        CloseStdin();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CompleteTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException(
                $"ffmpeg did not finish '{OutputPath}' within {_options.CompleteTimeout.TotalSeconds:0.#} s and was killed.{StderrTailText()}");
        }

        if (process.ExitCode != 0)
        {
            throw new IOException($"ffmpeg failed to finish '{OutputPath}' (exit code {process.ExitCode}).{StderrTailText()}");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Process? process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // Ending stdin lets ffmpeg close the file properly; kill only if it does not go within the grace period.
                CloseStdin();
                using var grace = new CancellationTokenSource(s_disposeGrace);
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill(process);
                }
            }
        }
        finally
        {
            process.ErrorDataReceived -= OnStderr;
            process.Dispose();
            _process = null;
            _stdin = null;
        }
    }

    private void Start(int width, int height)
    {
        var startInfo = new ProcessStartInfo(_options.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        AddArguments(startInfo.ArgumentList, width, height);
        var process = new Process { StartInfo = startInfo };
        process.ErrorDataReceived += OnStderr;
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new IOException(
                $"Cannot write '{OutputPath}': ffmpeg ('{_options.FfmpegPath}') could not be started ({ex.Message}). Install ffmpeg or set FfmpegPath.", ex);
        }

        process.BeginErrorReadLine();
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _width = width;
        _height = height;
    }

    private void AddArguments(ICollection<string> args, int width, int height)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        string fps = _options.Fps.ToString("0.######", inv);
        int gop = Math.Max(1, (int)Math.Round(_options.Fps * _options.KeyframeIntervalSeconds));
        string[] input = ["-hide_banner", "-nostats", "-loglevel", "warning", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", string.Create(inv, $"{width}x{height}"), "-r", fps, "-i", "-",
            "-an", "-c:v", _options.Codec];
        foreach (string a in input)
        {
            args.Add(a);
        }

        if (!string.IsNullOrEmpty(_options.Preset))
        {
            args.Add("-preset");
            args.Add(_options.Preset);
        }

        if (_options.Crf is int crf)
        {
            args.Add("-crf");
            args.Add(crf.ToString(inv));
        }

        args.Add("-threads");
        args.Add(_options.Threads.ToString(inv));
        args.Add("-g");
        args.Add(gop.ToString(inv));
        args.Add("-pix_fmt");
        args.Add(_options.PixelFormat);
        if ((width & 1) != 0 || (height & 1) != 0)
        {
            args.Add("-vf");
            args.Add("pad=ceil(iw/2)*2:ceil(ih/2)*2");
        }

        string extension = Path.GetExtension(OutputPath);
        if (extension.Equals(".mp4", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".mov", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".m4v", StringComparison.OrdinalIgnoreCase))
        {
            args.Add("-movflags");
            args.Add(_options.Fragmented ? "+frag_keyframe+empty_moov+default_base_moof" : "+faststart");
            if (_options.Fragmented)
            {
                // Without this, ffmpeg holds up to 32 KiB in its I/O buffer, so a killed encoder can leave no moov at all.
                args.Add("-flush_packets");
                args.Add("1");
            }
        }

        args.Add(OutputPath);
    }

    private void OnStderr(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            AddStderrLine(e.Data);
        }
    }

    private void AddStderrLine(string line)
    {
        lock (_stderrTail)
        {
            if (_stderrTail.Count == StderrLinesKept)
            {
                _stderrTail.Dequeue();
            }

            _stderrTail.Enqueue(line);
        }
    }

    private string StderrTailText()
    {
        var text = new StringBuilder();
        lock (_stderrTail)
        {
            if (_stderrTail.Count == 0)
            {
                return " ffmpeg wrote nothing to stderr.";
            }

            text.Append(Environment.NewLine).Append("Last ffmpeg output:");
            foreach (string line in _stderrTail)
            {
                text.Append(Environment.NewLine).Append("  ").Append(line);
            }
        }

        return text.ToString();
    }

    private async ValueTask<IOException> EncoderFailedAsync(string what, Exception inner)
    {
        Process process = _process!;
        using var wait = new CancellationTokenSource(s_failureWait);
        try
        {
            // Waiting for exit also drains stderr, so the message can quote ffmpeg's reason.
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
        }

        string exit = process.HasExited ? string.Create(CultureInfo.InvariantCulture, $"exit code {process.ExitCode}") : "still running; killed";
        return new IOException($"Cannot write '{OutputPath}': {what} frames ({exit}).{StderrTailText()}", inner);
    }

    private void CloseStdin()
    {
        Stream? stdin = _stdin;
        _stdin = null;
        if (stdin is null)
        {
            return;
        }

        try
        {
            stdin.Dispose();
        }
        catch (IOException ex)
        {
            // ffmpeg has already gone (broken pipe); its exit code and stderr tell the caller why.
            AddStderrLine($"(closing ffmpeg's stdin failed: {ex.Message})");
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill: nothing left to stop.
            Debug.Assert(process.HasExited, "Kill failed on a running process");
        }
    }
}
