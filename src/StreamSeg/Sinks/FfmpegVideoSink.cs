using System.Globalization;
using OpenCvSharp;

namespace StreamSeg.Sinks;

/// <summary>Encodes frames to a video file by piping raw BGR pixels into an <c>ffmpeg</c> child process.</summary>
/// <remarks>
/// <para>
/// ffmpeg is started lazily on the first frame, whose size fixes the stream size (a later frame of another size is an
/// error): <c>ffmpeg -f rawvideo -pix_fmt bgr24 -s WxH -r fps -i - -c:v libx264 -preset superfast -crf 23 -pix_fmt
/// yuv420p …</c>. Odd sizes are padded by one pixel, since 4:2:0 needs even sizes. Each frame's pixels are written
/// to ffmpeg's stdin straight from the <see cref="Mat"/>'s native memory, without a managed copy; a full pipe
/// makes <see cref="FfmpegSink.WriteAsync"/> wait, which is the sink's backpressure.
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
/// <see cref="FfmpegSink.CompleteAsync"/> closes stdin and waits (up to <see cref="FfmpegVideoSinkOptions.CompleteTimeout"/>)
/// for ffmpeg to finish, then kills it. <see cref="FfmpegSink.DisposeAsync"/> does the same with a short grace period, so the
/// child never outlives the sink; if our process dies without disposing, ffmpeg sees end-of-file on stdin, finishes
/// the file and exits by itself. A missing ffmpeg, or one that exits early, raises an <see cref="IOException"/>
/// naming the output path and quoting ffmpeg's last stderr lines. The output directory is checked for write access
/// in the constructor. Example: <c>new FfmpegVideoSink(new FfmpegVideoSinkOptions("out/run.mp4") { Fps = 25 })</c>.
/// </para>
/// </remarks>
public sealed class FfmpegVideoSink : FfmpegSink
{
    private static readonly TimeSpan s_disposeGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_failureWait = TimeSpan.FromSeconds(2);
    private readonly FfmpegVideoSinkOptions _options;
    private FfmpegEncoderProcess? _encoder;
    private long _framesWritten;

    /// <summary>Creates the sink; validates <paramref name="options"/> and checks that the output directory is writable.</summary>
    /// <exception cref="IOException">The output path cannot be written.</exception>
    public FfmpegVideoSink(FfmpegVideoSinkOptions options)
        : base(ValidName(options), "Video sink", "write", options.FfmpegPath)
    {
        _options = options;
        OutputPath = OutputPaths.EnsureWritableFile(options.Path, "video output");
    }

    /// <summary>Gets the full path of the output file.</summary>
    public string OutputPath { get; }

    /// <summary>Gets how many frames have been handed to ffmpeg.</summary>
    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    /// <summary>Gets the process id of the running encoder, or null before the first frame (tests use it to simulate a crash).</summary>
    internal int? EncoderProcessId => _encoder?.Id;

    /// <inheritdoc/>
    private protected override string Target => OutputPath;

    /// <inheritdoc/>
    private protected override async ValueTask WriteCoreAsync(Mat image, CancellationToken cancellationToken)
    {
        _encoder ??= StartEncoder(Arguments());
        try
        {
            await _encoder.WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw await EncoderFailedAsync($"ffmpeg stopped accepting frames after {FramesWritten}", ex).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _framesWritten);
    }

    /// <inheritdoc/>
    private protected override async ValueTask CompleteCoreAsync(CancellationToken cancellationToken)
    {
        FfmpegEncoderProcess? encoder = _encoder;
        if (encoder is null)
        {
            // No frame ever came, so there is no video to finish (and no file is created).
            return;
        }

        if (!await encoder.FinishAsync(_options.CompleteTimeout, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"ffmpeg did not finish '{OutputPath}' within {_options.CompleteTimeout.TotalSeconds:0.#} s and was killed.{encoder.StderrTailText()}");
        }

        if (encoder.ExitCode != 0)
        {
            throw new IOException($"ffmpeg failed to finish '{OutputPath}' (exit code {encoder.ExitCode}).{encoder.StderrTailText()}");
        }
    }

    /// <inheritdoc/>
    private protected override async ValueTask DisposeCoreAsync()
    {
        FfmpegEncoderProcess? encoder = _encoder;
        if (encoder is null)
        {
            return;
        }

        try
        {
            if (!encoder.HasExited)
            {
                // Ending stdin lets ffmpeg close the file properly; it is killed only if it does not go within the grace period.
                await encoder.FinishAsync(s_disposeGrace, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            // Disposing kills whatever is still running, so the child never outlives the sink.
            encoder.Dispose();
            _encoder = null;
        }
    }

    private static string ValidName(FfmpegVideoSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Name;
    }

    private List<string> Arguments()
    {
        var encoding = new FfmpegEncoding("warning", _options.Codec, _options.Preset, Tune: null, _options.Crf, _options.Threads, _options.PixelFormat);
        List<string> args = EncoderArguments(encoding, _options.Fps, _options.KeyframeIntervalSeconds);
        args.Insert(4, "-y");
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
        return args;
    }

    private async ValueTask<IOException> EncoderFailedAsync(string what, Exception inner)
    {
        FfmpegEncoderProcess encoder = _encoder!;
        using var wait = new CancellationTokenSource(s_failureWait);
        try
        {
            // Waiting for exit also drains stderr, so the message can quote ffmpeg's reason.
            await encoder.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            encoder.Kill();
        }

        string exit = encoder.HasExited ? string.Create(CultureInfo.InvariantCulture, $"exit code {encoder.ExitCode}") : "still running; killed";
        return new IOException($"Cannot write '{OutputPath}': {what} frames ({exit}).{encoder.StderrTailText()}", inner);
    }
}
