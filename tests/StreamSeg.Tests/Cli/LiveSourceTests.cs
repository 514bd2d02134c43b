using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenCvSharp;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Sources other than files, each with a real peer: an HTTP stream served by ffmpeg, and a folder of images.</summary>
public partial class LiveSourceTests
{
    private static (long In, long Out, long Dropped) ParseSummary(string stdout)
    {
        Match m = Summary().Match(stdout);
        Assert.True(m.Success, stdout);
        return (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RtspStream_ThroughRealRelay_IsReadLiveAndCounted()
    {
        // rtsp-server-perl is a real RTSP relay: ffmpeg publishes (ANNOUNCE/RECORD over UDP) to its source port,
        // StreamSeg pulls from its client port, with credentials in the URL that must never be printed.
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using RtspRelay relay = RtspRelay.Start();
        Process? pusher = null;
        try
        {
            pusher = ChildProcess.Start("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                "-f", "rtsp", "-rtsp_transport", "udp", relay.SourceUrl("live")]);
            Readiness.WaitForStream(relay.ClientUrl("live"), Readiness.Timeout, pusher);
            CliRunner.Result r = CliRunner.Run("run", "--source", $"rtsp://viewer:t0psecret@127.0.0.1:{relay.ClientPort}/live", "--rtsp-transport", "udp",
                "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--max-frames", "40", "--meta", dir.File("m.ndjson"), "--out", dir.File("o.mp4"));
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Contains("stream, 320×240", r.StdErr, StringComparison.Ordinal);
            Assert.Contains("(live: drops oldest when behind)", r.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("t0psecret", r.StdErr + r.StdOut + File.ReadAllText(dir.File("m.ndjson")), StringComparison.Ordinal);
            (long framesIn, long framesOut, long dropped) = ParseSummary(r.StdOut);
            Assert.Equal(40, framesIn);
            Assert.Equal(framesIn, framesOut + dropped);

            // A live run's sinks sit behind DropOldest edges: a slow sink may lose frames (counted per sink), never stall the run.
            Assert.Equal(framesOut - SinkDrops(r.StdOut, "metadata"), File.ReadAllLines(dir.File("m.ndjson")).Length);
            Assert.Equal((int)(framesOut - SinkDrops(r.StdOut, "video")), Ffprobe.Probe(dir.File("o.mp4")).FrameCount);
        }
        finally
        {
            ChildProcess.Stop(pusher);
        }
    }

    [Fact]
    public void HttpStream_FromRealServer_IsRead()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using (Process remux = ChildProcess.Start("ffmpeg", ["-v", "error", "-y", "-i", clip, "-c", "copy", "-f", "mpegts", dir.File("clip.ts")]))
        {
            remux.WaitForExit();
        }

        int port = Ports.Free();
        Process server = ChildProcess.Start("python3", ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", dir.Path]);
        try
        {
            Readiness.WaitForListener(port, "python's http.server", server);
            CliRunner.Result r = CliRunner.Run("run", "--source", $"http://127.0.0.1:{port}/clip.ts", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--max-frames", "30", "--meta", dir.File("m.ndjson"));
            Assert.True(r.ExitCode == 0, r.StdErr);
            (long framesIn, long framesOut, long dropped) = ParseSummary(r.StdOut);
            Assert.Equal(30, framesIn);
            Assert.Equal(framesIn, framesOut + dropped);
        }
        finally
        {
            ChildProcess.Stop(server);
        }
    }

    [Fact]
    public void HttpStream_WrongCredentials_Exit3_SaysUnauthorized_WithoutThePassword()
    {
        // A real HTTP server that wants basic auth (alice:right) and answers 401 to anything else.
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 160, 120, 10);
        File.WriteAllText(dir.File("auth.py"), """
            import base64, http.server, sys
            class H(http.server.SimpleHTTPRequestHandler):
                def do_GET(self):
                    if self.headers.get('Authorization') != 'Basic ' + base64.b64encode(b'alice:right').decode():
                        self.send_response(401); self.send_header('WWW-Authenticate', 'Basic realm="cam"'); self.end_headers(); return
                    super().do_GET()
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), lambda *a: H(*a, directory=sys.argv[2])).serve_forever()
            """);
        int port = Ports.Free();
        Process server = ChildProcess.Start("python3", [dir.File("auth.py"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), dir.Path]);
        try
        {
            Readiness.WaitForListener(port, "the basic-auth HTTP server (auth.py)", server);
            CliRunner.Result r = CliRunner.Run("run", "--source", $"http://alice:wr0ngpass@127.0.0.1:{port}/c.avi", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu");
            Assert.Equal(3, r.ExitCode);
            Assert.Contains($"http://***@127.0.0.1:{port}/c.avi", r.StdErr, StringComparison.Ordinal);
            Assert.Contains("401", r.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("wr0ngpass", r.StdErr + r.StdOut, StringComparison.Ordinal);

            // The right credentials open the same stream.
            CliRunner.Result ok = CliRunner.Run("run", "--source", $"http://alice:right@127.0.0.1:{port}/c.avi", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--max-frames", "5");
            Assert.True(ok.ExitCode == 0, ok.StdErr);
        }
        finally
        {
            ChildProcess.Stop(server);
        }
    }

    [Fact]
    public void ImageFolder_IsReadInNameOrder_Losslessly()
    {
        using var dir = new TempDirectory();
        string folder = Directory.CreateDirectory(dir.File("imgs")).FullName;
        for (int i = 0; i < 5; i++)
        {
            using var img = new Mat(240, 320, MatType.CV_8UC3, new Scalar(i * 40, 100, 200));
            Cv2.ImWrite(Path.Combine(folder, $"img_{i:00}.png"), img);
        }

        File.WriteAllText(Path.Combine(folder, "notes.txt"), "ignored");
        CliRunner.Result r = CliRunner.Run("run", "--source", folder, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--meta", dir.File("m.ndjson"), "--no-track");
        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = File.ReadAllLines(dir.File("m.ndjson"));
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"source\":\"imgs\"", l, StringComparison.Ordinal));
    }

    private static long SinkDrops(string stdout, string sink)
    {
        Match m = Regex.Match(stdout, $@"dropped on sink\[{sink}\] \(DropOldest\): (\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"frames in (\d+), out (\d+), dropped (\d+)")]
    private static partial Regex Summary();
}
