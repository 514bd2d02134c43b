using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;
using StreamSeg.Memory;

namespace StreamSeg.Sinks;

/// <summary>
/// An <c>ffmpeg</c> child that encodes raw BGR frames written to its standard input; the plumbing shared by
/// <see cref="FfmpegVideoSink"/> and <see cref="RtspPublishSink"/>.
/// </summary>
/// <remarks>
/// Frames go to stdin straight from the <see cref="Mat"/>'s native memory (row by row when the Mat is not continuous),
/// without a managed copy. The last <see cref="StderrLinesKept"/> lines of ffmpeg's stderr are kept for error
/// messages, and each line can also be observed as it arrives. <see cref="Dispose"/> kills a child that is still
/// running, so the child never outlives its owner.
/// </remarks>
internal sealed class FfmpegEncoderProcess : IDisposable
{
    /// <summary>How many stderr lines are kept for messages.</summary>
    public const int StderrLinesKept = 20;

    private readonly Process _process;
    private readonly Queue<string> _stderrTail = new(StderrLinesKept);
    private readonly NativeMemoryWindow _native = new();
    private readonly Action<FfmpegEncoderProcess, string>? _onStderrLine;
    private Stream? _stdin;
    private bool _disposed;

    private FfmpegEncoderProcess(Process process, Action<FfmpegEncoderProcess, string>? onStderrLine)
    {
        _process = process;
        _onStderrLine = onStderrLine;
    }

    /// <summary>Gets the child's process id.</summary>
    public int Id { get; private set; }

    /// <summary>Gets whether the child has exited (true once disposed).</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                // Disposed: nothing is running any more.
                return true;
            }
        }
    }

    /// <summary>Gets the child's exit code; valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="ffmpegPath"/> with <paramref name="arguments"/>, stdin and stderr redirected.
    /// <paramref name="onStderrLine"/>, if given, sees every stderr line (with the process that wrote it), on a thread-pool thread.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable could not be started.</exception>
    public static FfmpegEncoderProcess Start(string ffmpegPath, IEnumerable<string> arguments, Action<FfmpegEncoderProcess, string>? onStderrLine = null)
    {
        var startInfo = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in arguments)
        {
            startInfo.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = startInfo };
        var encoder = new FfmpegEncoderProcess(process, onStderrLine);
        process.ErrorDataReceived += encoder.OnStderr;
        try
        {
            process.Start();
        }
        catch
        {
            // Rethrown to the caller, which knows what to call the failure; only the half-made Process is ours to release.
            process.ErrorDataReceived -= encoder.OnStderr;
            process.Dispose();
            throw;
        }

        process.BeginErrorReadLine();
        encoder.Id = process.Id;
        encoder._stdin = process.StandardInput.BaseStream;
        return encoder;
    }

    /// <summary>Adds the raw-video input arguments: <c>-f rawvideo -pix_fmt bgr24 -s WxH -r fps -i -</c>.</summary>
    public static void AddRawVideoInput(ICollection<string> args, int width, int height, double fps)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        string[] input = ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", string.Create(inv, $"{width}x{height}"),
            "-r", fps.ToString("0.######", inv), "-i", "-"];
        foreach (string a in input)
        {
            args.Add(a);
        }
    }

    /// <summary>Adds a pad filter to the next even width and height when either is odd, since 4:2:0 needs even sizes.</summary>
    public static void AddEvenSizePadding(ICollection<string> args, int width, int height)
    {
        if ((width & 1) != 0 || (height & 1) != 0)
        {
            args.Add("-vf");
            args.Add("pad=ceil(iw/2)*2:ceil(ih/2)*2");
        }
    }

    /// <summary>Returns the keyframe interval in frames (<c>-g</c>) for <paramref name="seconds"/> at <paramref name="fps"/>, at least 1.</summary>
    public static int GopFrames(double fps, double seconds) => Math.Max(1, (int)Math.Round(fps * seconds));

    /// <summary>
    /// Writes the pixels of <paramref name="image"/> (8-bit BGR) to ffmpeg's stdin. Returns only when ffmpeg has taken
    /// them or the write failed, so the image may be released as soon as this completes.
    /// </summary>
    /// <exception cref="IOException">ffmpeg no longer reads its input (it exited, or was killed).</exception>
    public async ValueTask WriteAsync(Mat image, CancellationToken cancellationToken)
    {
        Stream stdin = _stdin ?? throw new IOException("ffmpeg's input is already closed.");
        int height = image.Height;
        int rowBytes = image.Width * 3;
        try
        {
            if (image.IsContinuous())
            {
                await stdin.WriteAsync(_native.Wrap(image.Data, checked(rowBytes * height)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                for (int y = 0; y < height; y++)
                {
                    await stdin.WriteAsync(_native.Wrap(image.Ptr(y), rowBytes), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // The wrapped pointer belongs to the frame, which the caller may release as soon as we return.
            _native.Clear();
        }
    }

    /// <summary>Closes ffmpeg's stdin (end of input), which makes it finish and exit; a broken pipe is noted in the stderr tail.</summary>
    public void CloseInput()
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

    /// <summary>
    /// Closes ffmpeg's input so that it finishes, and waits up to <paramref name="timeout"/> (or until
    /// <paramref name="cancellationToken"/>) for it to exit; kills it when it does not. Returns whether it exited by itself.
    /// </summary>
    public async ValueTask<bool> FinishAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        CloseInput();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!HasExited)
        {
            Kill();
            return false;
        }
    }

    /// <summary>Waits until ffmpeg has exited and its stderr has been read to the end.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills ffmpeg if it is still running; safe to call from any thread, at any time, more than once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has exited (or was disposed) between the caller's check and the kill: nothing left to stop.
        }
    }

    /// <summary>Returns the kept stderr lines as message text: a newline, a heading and the indented lines.</summary>
    public string StderrTailText()
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

    /// <summary>Returns the last non-blank stderr line, or null when there was none.</summary>
    public string? LastStderrLine()
    {
        lock (_stderrTail)
        {
            string? last = null;
            foreach (string line in _stderrTail)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    last = line;
                }
            }

            return last;
        }
    }

    /// <summary>Kills ffmpeg if it is still running and releases the process.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();

        // Process.Dispose leaves the redirected streams open; our end of the pipe is released here.
        CloseInput();
        _process.ErrorDataReceived -= OnStderr;
        _process.Dispose();
        _native.Clear();
    }

    private void OnStderr(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            AddStderrLine(e.Data);
            _onStderrLine?.Invoke(this, e.Data);
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
}
