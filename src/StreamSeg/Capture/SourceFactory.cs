using Microsoft.Extensions.Logging;

namespace StreamSeg.Capture;

/// <summary>Works out what kind of source a URI names and creates it.</summary>
public static class SourceFactory
{
    private static readonly string[] s_streamSchemes = ["rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://", "tcp://", "srt://"];

    /// <summary>Classifies <paramref name="uri"/>: a stream URL, <c>camera:N</c> or <c>/dev/videoN</c>, a folder, else a file.</summary>
    public static SourceKind Classify(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        foreach (string scheme in s_streamSchemes)
        {
            if (uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return SourceKind.Stream;
            }
        }

        if ((uri.StartsWith("camera:", StringComparison.OrdinalIgnoreCase) && int.TryParse(uri.AsSpan(7), out _))
            || (uri.StartsWith("/dev/video", StringComparison.Ordinal) && int.TryParse(uri.AsSpan(10), out _)))
        {
            return SourceKind.Camera;
        }

        return Directory.Exists(uri) ? SourceKind.ImageFolder : SourceKind.File;
    }

    /// <summary>Creates the source for <paramref name="options"/>; nothing is opened yet. <paramref name="loggerFactory"/> logs what a source chose (e.g. its RTSP transport).</summary>
    public static IFrameSource Create(SourceOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Classify(options.Uri) switch
        {
            SourceKind.ImageFolder => new ImageFolderSource(options),

            // OpenCvSharp's bundled FFmpeg has no networking: streams go through the system ffmpeg.
            SourceKind.Stream => new FfmpegStreamSource(options, loggerFactory?.CreateLogger<FfmpegStreamSource>()),
            SourceKind kind => new VideoCaptureSource(options, kind),
        };
    }
}
