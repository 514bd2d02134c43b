using System.Globalization;
using OpenCvSharp;

namespace StreamSeg.Capture;

/// <summary>
/// Reads a video file or a V4L2 camera through OpenCV's bundled FFmpeg (or V4L2) backend. Network streams are read
/// by <see cref="FfmpegStreamSource"/>, because that FFmpeg has no networking.
/// </summary>
/// <remarks>
/// Files are read as fast as the pipeline takes them and never lose a frame (or, with <see cref="SourceOptions.Loop"/>,
/// loop forever as a simulated live source); cameras are live. Example config: <c>sources: [{ uri: camera:0 }]</c>.
/// </remarks>
public sealed class VideoCaptureSource : IFrameSource
{
    private readonly SourceOptions _options;
    private VideoCapture? _capture;
    private bool _firstRead = true;

    /// <summary>Creates the source; nothing is opened until <see cref="Open"/>.</summary>
    public VideoCaptureSource(SourceOptions options, SourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (kind is not (SourceKind.File or SourceKind.Camera))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "VideoCaptureSource reads files and cameras.");
        }

        _options = options;
        Kind = kind;
        Id = options.Id ?? DefaultId(options.Uri, kind);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public SourceKind Kind { get; }

    /// <inheritdoc/>
    public bool IsLive => Kind != SourceKind.File || _options.Loop;

    /// <inheritdoc/>
    public double Fps { get; private set; }

    /// <inheritdoc/>
    public long? FrameCount { get; private set; }

    /// <inheritdoc/>
    public int Width { get; private set; }

    /// <inheritdoc/>
    public int Height { get; private set; }

    /// <summary>Gets the display form of the URI, with credentials removed.</summary>
    public string DisplayUri => UrlRedactor.Redact(_options.Uri);

    /// <inheritdoc/>
    public void Open()
    {
        _capture?.Dispose();
        _capture = Kind switch
        {
            SourceKind.File => OpenFile(),
            _ => OpenCamera(),
        };

        Width = (int)_capture.Get(VideoCaptureProperties.FrameWidth);
        Height = (int)_capture.Get(VideoCaptureProperties.FrameHeight);
        double fps = _capture.Get(VideoCaptureProperties.Fps);
        Fps = double.IsFinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
        double count = _capture.Get(VideoCaptureProperties.FrameCount);
        FrameCount = Kind == SourceKind.File && count > 0 && double.IsFinite(count) ? (long)count : null;
        if (Width <= 0 || Height <= 0)
        {
            Dispose();
            throw new SourceException($"Source '{DisplayUri}': opened, but it reports no video frame size (expected a video stream).");
        }

        _firstRead = true;
    }

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_capture is null)
        {
            throw new InvalidOperationException($"Source '{Id}' is not open.");
        }

        bool ok = _capture.Read(target) && !target.Empty();
        if (!ok && _options.Loop && Kind == SourceKind.File)
        {
            _capture.Set(VideoCaptureProperties.PosFrames, 0);
            ok = _capture.Read(target) && !target.Empty();
        }

        if (!ok)
        {
            if (_firstRead && Kind == SourceKind.File)
            {
                throw new SourceException($"Source '{DisplayUri}': no frame could be decoded (expected a readable video file).");
            }

            pts = TimeSpan.Zero;
            return false;
        }

        _firstRead = false;
        pts = TimeSpan.FromMilliseconds(_capture.Get(VideoCaptureProperties.PosMsec));
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _capture?.Dispose();
        _capture = null;
    }

    /// <summary>The default id of a source: the file name, camera name, or the redacted URL.</summary>
    public static string DefaultId(string uri, SourceKind kind) => kind switch
    {
        SourceKind.File or SourceKind.ImageFolder => Path.GetFileName(Path.TrimEndingDirectorySeparator(uri)),
        _ => UrlRedactor.Redact(uri),
    };

    private VideoCapture OpenFile()
    {
        string path = _options.Uri;
        if (!File.Exists(path))
        {
            throw new SourceException($"Source '{path}': file not found (expected a video file, camera:N, /dev/videoN, an image folder or an rtsp/http URL).");
        }

        var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new SourceException($"Source '{path}': not a video FFmpeg can read (expected a video file such as MP4, AVI, MKV).");
        }

        return capture;
    }

    private VideoCapture OpenCamera()
    {
        string uri = _options.Uri;
        int index = uri.StartsWith("camera:", StringComparison.OrdinalIgnoreCase)
            ? int.Parse(uri.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture)
            : int.Parse(uri.AsSpan("/dev/video".Length), NumberStyles.Integer, CultureInfo.InvariantCulture);
        var capture = new VideoCapture(index, VideoCaptureAPIs.V4L2);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new SourceException($"Source '{uri}': camera /dev/video{index} could not be opened (expected a V4L2 capture device that exists and is not busy).");
        }

        return capture;
    }
}
