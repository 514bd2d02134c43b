using System.Diagnostics;
using System.Globalization;

namespace StreamSeg.Tests.Support;

/// <summary>
/// GStreamer's RTSP server (gst-rtsp-server, through Debian's python3-gi) on loopback, serving a live test pattern at
/// <c>/cam</c> over both TCP and UDP, as most cameras and media servers do. Killed on dispose.
/// </summary>
internal sealed class GstRtspServer : IDisposable
{
    private const string Python = "/usr/bin/python3";

    // A few lines: one shared media (an x264 test pattern, a key frame a second) mounted at /cam, on the given port.
    private const string Script = """
        import sys, gi
        gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
        from gi.repository import Gst, GstRtspServer, GLib
        Gst.init(None)
        server = GstRtspServer.RTSPServer(); server.set_address('127.0.0.1'); server.set_service(sys.argv[1])
        factory = GstRtspServer.RTSPMediaFactory(); factory.set_shared(True)
        factory.set_launch('( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=10/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 config-interval=1 )')
        server.get_mount_points().add_factory('/cam', factory)
        server.attach(None)
        GLib.MainLoop().run()
        """;

    private readonly Process _process;

    private GstRtspServer(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    /// <summary>Gets whether Debian's python3 has GStreamer's RTSP server bindings and the x264 encoder is there.</summary>
    public static bool IsAvailable =>
        File.Exists(Python)
        && File.Exists("/usr/lib/python3/dist-packages/gi/__init__.py")
        && InMultiarchLib("girepository-1.0/GstRtspServer-1.0.typelib")
        && InMultiarchLib("gstreamer-1.0/libgstx264.so");

    public int Port { get; }

    /// <summary>Gets the URL of the test pattern.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"rtsp://127.0.0.1:{Port}/cam");

    /// <summary>Starts the server on a free port and waits until it accepts connections (GStreamer's first start scans its plugins: slow).</summary>
    public static GstRtspServer Start()
    {
        int port = Ports.Free();
        Process process = ChildProcess.Start(Python, ["-c", Script, port.ToString(CultureInfo.InvariantCulture)]);
        var server = new GstRtspServer(port, process);
        try
        {
            var wait = Stopwatch.StartNew();
            while (!Ports.Accepts(port))
            {
                Assert.False(process.HasExited, "GStreamer's RTSP server exited at start-up");
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(90), $"GStreamer's RTSP server did not listen on port {port} within 90 s");
                Thread.Sleep(100);
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public void Dispose() => ChildProcess.Stop(_process);

    // /usr/lib/<triplet>/<relative>, for whichever architecture this is.
    private static bool InMultiarchLib(string relative) =>
        Directory.Exists("/usr/lib") && Directory.EnumerateDirectories("/usr/lib", "*-linux-gnu*").Any(d => File.Exists(Path.Combine(d, relative)));
}
