using System.ComponentModel;
using System.Globalization;
using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>
/// What the sinks that pipe raw BGR frames into an <c>ffmpeg</c> encoder share (<see cref="FfmpegVideoSink"/>,
/// <see cref="RtspPublishSink"/>): the frame checks and the first-frame sizing, the encoder's common arguments,
/// turning a failed start into a message that says what to install, with <see cref="FfmpegEncoderProcess"/> doing the process's side (writes, stderr, finishing, killing).
/// </summary>
/// <remarks>
/// The first frame fixes the stream size; a later frame of another size, or a frame that is not 8-bit BGR, is an
/// error. <see cref="WriteAsync"/>, <see cref="CompleteAsync"/> and <see cref="DisposeAsync"/> check the sink's
/// lifetime (disposed, already complete) once here and hand over to the derived sink's <c>…CoreAsync</c> methods.
/// </remarks>
public abstract class FfmpegSink : ISink
{
    private readonly string _kind;
    private readonly string _startVerb;
    private readonly string _ffmpegPath;
    private bool _completed;
    private bool _disposed;

    /// <summary>Sets the names used in messages.</summary>
    /// <param name="name">The sink's name.</param>
    /// <param name="kind">What the sink is called in messages, for example <c>Video sink</c>.</param>
    /// <param name="startVerb">What the sink could not do when ffmpeg does not start, for example <c>write</c> or <c>publish to</c>.</param>
    /// <param name="ffmpegPath">The ffmpeg executable.</param>
    private protected FfmpegSink(string name, string kind, string startVerb, string ffmpegPath)
    {
        Name = name;
        _kind = kind;
        _startVerb = startVerb;
        _ffmpegPath = ffmpegPath;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the stream width fixed by the first frame (0 before it).</summary>
    private protected int Width { get; private set; }

    /// <summary>Gets the stream height fixed by the first frame (0 before it).</summary>
    private protected int Height { get; private set; }

    /// <summary>Gets where the frames go, for messages (a path, or a URL with credentials redacted).</summary>
    private protected abstract string Target { get; }

    /// <inheritdoc/>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"{_kind} '{Name}' for '{Target}' is already complete.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        Mat image = frame.Image;
        if (image.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"{_kind} '{Name}' takes 8-bit BGR frames (CV_8UC3); got {image.Type()}.", nameof(frame));
        }

        if (Width == 0)
        {
            Width = image.Width;
            Height = image.Height;
        }
        else if (image.Width != Width || image.Height != Height)
        {
            throw new InvalidOperationException(
                $"{_kind} '{Name}' for '{Target}' was started at {Width}×{Height}; frame {frame.Meta.Index} is {image.Width}×{image.Height}.");
        }

        return WriteCoreAsync(image, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return ValueTask.CompletedTask;
        }

        _completed = true;
        return CompleteCoreAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        GC.SuppressFinalize(this);
        return DisposeCoreAsync();
    }

    /// <summary>Sends <paramref name="image"/> (checked: 8-bit BGR of the stream's size) to the encoder.</summary>
    private protected abstract ValueTask WriteCoreAsync(Mat image, CancellationToken cancellationToken);

    /// <summary>Ends the stream; called once.</summary>
    private protected abstract ValueTask CompleteCoreAsync(CancellationToken cancellationToken);

    /// <summary>Releases the encoder; called once.</summary>
    private protected abstract ValueTask DisposeCoreAsync();

    /// <summary>
    /// Returns the arguments every encoder here starts with: <c>-hide_banner -nostats -loglevel L</c>, the raw BGR input
    /// of the stream's size at <paramref name="fps"/> from stdin, <c>-an -c:v codec</c> with its preset, tune and CRF
    /// when given, <c>-threads</c>, <c>-g</c> and <c>-pix_fmt</c>, and a pad filter for odd sizes. The caller adds the output.
    /// </summary>
    private protected List<string> EncoderArguments(FfmpegEncoding encoding, double fps, double keyframeIntervalSeconds)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var args = new List<string> { "-hide_banner", "-nostats", "-loglevel", encoding.LogLevel };
        FfmpegEncoderProcess.AddRawVideoInput(args, Width, Height, fps);
        args.AddRange(["-an", "-c:v", encoding.Codec]);
        AddIfSet(args, "-preset", encoding.Preset);
        AddIfSet(args, "-tune", encoding.Tune);
        AddIfSet(args, "-crf", encoding.Crf?.ToString(inv));
        args.AddRange(["-threads", encoding.Threads.ToString(inv),
            "-g", FfmpegEncoderProcess.GopFrames(fps, keyframeIntervalSeconds).ToString(inv),
            "-pix_fmt", encoding.PixelFormat]);
        FfmpegEncoderProcess.AddEvenSizePadding(args, Width, Height);
        return args;
    }

    /// <summary>Starts ffmpeg with <paramref name="arguments"/>; a missing executable becomes an <see cref="IOException"/> that says what to install.</summary>
    private protected FfmpegEncoderProcess StartEncoder(IEnumerable<string> arguments, Action<FfmpegEncoderProcess, string>? onStderrLine = null)
    {
        try
        {
            return FfmpegEncoderProcess.Start(_ffmpegPath, arguments, onStderrLine);
        }
        catch (Win32Exception ex)
        {
            throw new IOException(
                $"Cannot {_startVerb} '{Target}': ffmpeg ('{_ffmpegPath}') could not be started ({ex.Message}). Install ffmpeg or set FfmpegPath.", ex);
        }
    }

    private static void AddIfSet(List<string> args, string option, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add(option);
            args.Add(value);
        }
    }
}
