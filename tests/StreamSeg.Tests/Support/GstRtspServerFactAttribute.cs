namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that needs GStreamer's RTSP server from Python (Debian's <c>gir1.2-gst-rtsp-server-1.0</c>, <c>python3-gi</c>
/// and the x264 encoder of <c>gstreamer1.0-plugins-ugly</c>); skipped with the reason where they are absent.
/// </summary>
public sealed class GstRtspServerFactAttribute : FactAttribute
{
    public GstRtspServerFactAttribute()
    {
        if (!GstRtspServer.IsAvailable)
        {
            Skip = "GStreamer's RTSP server is not installed for Debian's python3: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly ('./run.sh test' installs them)";
        }
    }
}
