namespace StreamSeg.Capture;

/// <summary>The kinds of source StreamSeg reads.</summary>
public enum SourceKind
{
    /// <summary>A video file in any container FFmpeg reads.</summary>
    File,

    /// <summary>A V4L2 camera (<c>camera:0</c> or <c>/dev/video0</c>).</summary>
    Camera,

    /// <summary>A network stream (rtsp, rtsps, http, https, rtmp, udp, tcp, srt URL).</summary>
    Stream,

    /// <summary>A folder of images, read in name order.</summary>
    ImageFolder,
}
