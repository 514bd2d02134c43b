using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenCvSharp;
using StreamSeg.Capture;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Capture;

/// <summary>
/// RTSP transport choice and the reachability probe of <see cref="FfmpegStreamSource"/>, against real servers: Debian's
/// rtsp-server-perl relay (UDP only: it answers a TCP SETUP with 400) and GStreamer's RTSP server (TCP and UDP).
/// </summary>
public class RtspTransportTests
{
    private static readonly TimeSpan s_open = TimeSpan.FromSeconds(40); // generous: x264 and Perl start slowly on a loaded machine

    private static void ReadOneFrame(FfmpegStreamSource source)
    {
        using var m = new Mat();
        Assert.True(source.Read(m, out _));
        Assert.Equal((source.Width, source.Height), (m.Width, m.Height));
    }

    [Fact]
    public void Auto_AgainstAUdpOnlyRelay_FallsBackToUdp_AndSaysSo()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using RtspRelay relay = RtspRelay.Start();
        Process? pusher = null;
        try
        {
            pusher = relay.Publish(clip);
            var log = new ListLogger<FfmpegStreamSource>();
            using var source = new FfmpegStreamSource(new SourceOptions(relay.ClientUrl("live"), OpenTimeout: s_open), log);
            source.Open();
            Assert.Equal("udp", source.RtspTransport);
            ReadOneFrame(source);
            Assert.Contains(log.Messages, m => m.Contains("RTSP over tcp failed, trying udp", StringComparison.Ordinal) && m.Contains("400", StringComparison.Ordinal));
            Assert.Contains(log.Messages, m => m.EndsWith("RTSP over udp (auto)", StringComparison.Ordinal));
        }
        finally
        {
            ChildProcess.Stop(pusher);
        }
    }

    [Fact]
    public void ForcedTcp_AgainstAUdpOnlyRelay_FailsWithTheServersAnswer()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using RtspRelay relay = RtspRelay.Start();
        Process? pusher = null;
        try
        {
            pusher = relay.Publish(clip);
            using var source = new FfmpegStreamSource(new SourceOptions(relay.ClientUrl("live"), RtspTransport: "tcp", OpenTimeout: s_open));
            SourceException ex = Assert.Throws<SourceException>(source.Open);
            Assert.Contains("400 Bad Request", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("transports tried", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            ChildProcess.Stop(pusher);
        }
    }

    [GstRtspServerFact]
    public void Auto_AgainstAServerOfBoth_UsesTcp()
    {
        using GstRtspServer server = GstRtspServer.Start();
        var log = new ListLogger<FfmpegStreamSource>();
        using var source = new FfmpegStreamSource(new SourceOptions(server.Url, OpenTimeout: s_open), log);
        source.Open();
        Assert.Equal("tcp", source.RtspTransport);
        Assert.Equal((320, 240), (source.Width, source.Height));
        ReadOneFrame(source);
        Assert.DoesNotContain(log.Messages, m => m.Contains("trying udp", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.EndsWith("RTSP over tcp (auto)", StringComparison.Ordinal));
        Assert.Equal(SourceReachability.Serving, source.Probe(TimeSpan.FromSeconds(5)));
    }

    [GstRtspServerFact]
    public void ForcedUdp_AgainstAServerOfBoth_UsesUdp()
    {
        using GstRtspServer server = GstRtspServer.Start();
        using var source = new FfmpegStreamSource(new SourceOptions(server.Url, RtspTransport: "udp", OpenTimeout: s_open));
        source.Open();
        Assert.Equal("udp", source.RtspTransport);
        ReadOneFrame(source);
    }

    [Fact]
    public void Auto_BothRefused_TheErrorNamesTheTransportsTried()
    {
        using var server = new RefusingRtspServer();
        using var source = new FfmpegStreamSource(new SourceOptions(server.Url, OpenTimeout: s_open));
        SourceException ex = Assert.Throws<SourceException>(source.Open);
        Assert.Contains("RTSP transports tried: tcp, udp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);
        Assert.True(server.Requests >= 2, $"{server.Requests} requests");
    }

    [Fact]
    public void Auto_NothingListening_FailsAtOnce_WithoutTryingUdp()
    {
        int port = Ports.Free();
        using var source = new FfmpegStreamSource(new SourceOptions($"rtsp://127.0.0.1:{port}/cam", OpenTimeout: s_open));
        SourceException ex = Assert.Throws<SourceException>(source.Open);
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RTSP transports tried: tcp)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_SaysWhetherTheRelayServesTheStream()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using RtspRelay relay = RtspRelay.Start();
        using var source = new FfmpegStreamSource(new SourceOptions(relay.ClientUrl("live")));
        TimeSpan timeout = TimeSpan.FromSeconds(5);

        // Up, but no publisher yet: the relay answers DESCRIBE with 404.
        Assert.Equal(SourceReachability.Unreachable, source.Probe(timeout));
        Process? pusher = null;
        try
        {
            pusher = relay.Publish(clip);
            Assert.Equal(SourceReachability.Serving, source.Probe(timeout));
        }
        finally
        {
            ChildProcess.Stop(pusher);
        }

        relay.Kill();
        var sw = Stopwatch.StartNew();
        Assert.Equal(SourceReachability.Unreachable, source.Probe(timeout));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"a refused connection took {sw.Elapsed}");

        // UDP-based protocols have nothing to connect to.
        using var udp = new FfmpegStreamSource(new SourceOptions("udp://127.0.0.1:5000"));
        Assert.Equal(SourceReachability.Unknown, udp.Probe(timeout));
    }

    [Fact]
    public void Probe_AServerThatAcceptsButDoesNotAnswer_IsUnknown_SoTheOpenIsNotSkipped()
    {
        // A busy server that is slow to answer DESCRIBE must not read as "not there": its opens would be skipped forever.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var source = new FfmpegStreamSource(new SourceOptions($"rtsp://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/cam"));
        var sw = Stopwatch.StartNew();
        Assert.Equal(SourceReachability.Unknown, source.Probe(TimeSpan.FromMilliseconds(300)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"the probe took {sw.Elapsed}");
    }

    /// <summary>An RTSP server that answers every request with 400 Bad Request, over TCP whatever transport is asked for.</summary>
    private sealed class RefusingRtspServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Thread _thread;
        private int _requests;

        public RefusingRtspServer()
        {
            _listener.Start();
            _thread = new Thread(Serve) { IsBackground = true };
            _thread.Start();
        }

        public string Url => $"rtsp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/cam";

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _listener.Stop();
            _thread.Join(2000);
        }

        private void Serve()
        {
            try
            {
                while (true)
                {
                    using TcpClient client = _listener.AcceptTcpClient();
                    using NetworkStream stream = client.GetStream();
                    stream.ReadTimeout = 5000;
                    var request = new StringBuilder();
                    var buffer = new byte[1024];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        int n = stream.Read(buffer);
                        if (n == 0)
                        {
                            break;
                        }

                        request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    string cseq = request.ToString().Split("\r\n").FirstOrDefault(l => l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase)) ?? "CSeq: 1";
                    Interlocked.Increment(ref _requests);
                    stream.Write(Encoding.ASCII.GetBytes($"RTSP/1.0 400 Bad Request\r\n{cseq}\r\n\r\n"));
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
