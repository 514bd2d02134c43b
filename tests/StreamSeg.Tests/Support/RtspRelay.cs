using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamSeg.Tests.Support;

/// <summary>
/// A real RTSP relay (Debian's <c>rtsp-server-perl</c>) on loopback: publishers push (ANNOUNCE/RECORD, RTP over UDP)
/// to <see cref="SourcePort"/> and viewers pull from <see cref="ClientPort"/>. Killed on dispose.
/// </summary>
internal sealed class RtspRelay : IDisposable
{
    private Process? _process;

    private RtspRelay(int clientPort, int sourcePort, int rtpStartPort)
    {
        ClientPort = clientPort;
        SourcePort = sourcePort;
        RtpStartPort = rtpStartPort;
    }

    public int ClientPort { get; }

    public int SourcePort { get; }

    public int RtpStartPort { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a relay on free ports and waits until it accepts connections.</summary>
    public static RtspRelay Start()
    {
        var relay = new RtspRelay(Ports.Free(), Ports.Free(), FreeUdpPortPair());
        relay.Restart();
        return relay;
    }

    /// <summary>Returns the URL a publisher pushes <paramref name="path"/> to, with optional user info (<c>user:password</c>).</summary>
    public string SourceUrl(string path, string? userInfo = null) =>
        string.Create(CultureInfo.InvariantCulture, $"rtsp://{(userInfo is null ? "" : userInfo + "@")}127.0.0.1:{SourcePort}/{path}");

    /// <summary>Returns the URL a viewer pulls <paramref name="path"/> from.</summary>
    public string ClientUrl(string path) => string.Create(CultureInfo.InvariantCulture, $"rtsp://127.0.0.1:{ClientPort}/{path}");

    /// <summary>Starts the relay again on the same ports (after <see cref="Kill"/>) and waits until it accepts connections.</summary>
    public void Restart()
    {
        Kill();
        _process = ChildProcess.Start(
            "rtsp-server-perl",
            [
                "-c", ClientPort.ToString(CultureInfo.InvariantCulture), "-s", SourcePort.ToString(CultureInfo.InvariantCulture),
                "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1",
                "--rtp_start_port", RtpStartPort.ToString(CultureInfo.InvariantCulture),
            ]);

        // The relay is Perl + Moose: start-up takes from half a second to several on a loaded machine.
        var wait = Stopwatch.StartNew();
        while (!(Ports.Accepts(SourcePort) && Ports.Accepts(ClientPort)))
        {
            Assert.True(!_process.HasExited, "rtsp-server-perl exited at start-up");
            Assert.True(wait.Elapsed < Readiness.Timeout, $"rtsp-server-perl did not listen on ports {SourcePort} and {ClientPort} within {Readiness.Timeout.TotalSeconds} s");
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Publishes <paramref name="clip"/> in a loop at its own rate (x264, a key frame every 10 frames, RTP over UDP as
    /// the relay wants) to <paramref name="path"/> and waits until a viewer can pull it. The caller stops the publisher.
    /// </summary>
    public Process Publish(string clip, string path = "live")
    {
        Process pusher = StartPublisher(clip, path);
        try
        {
            Readiness.WaitForStream(ClientUrl(path), Readiness.Timeout, pusher);
        }
        catch
        {
            ChildProcess.Stop(pusher);
            throw;
        }

        return pusher;
    }

    /// <summary>
    /// Starts publishing <paramref name="clip"/> as <see cref="Publish"/> does, without waiting: for tests that time the
    /// stream's return themselves (<see cref="IsServing"/>).
    /// </summary>
    public Process StartPublisher(string clip, string path = "live") =>
        ChildProcess.Start("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10",
            "-f", "rtsp", "-rtsp_transport", "udp", SourceUrl(path)]);

    /// <summary>
    /// Gets whether the relay serves <paramref name="path"/> to viewers now: one RTSP DESCRIBE, answered 200 once a
    /// publisher has announced the stream (404 before). Takes milliseconds, so it can time a stream's return closely.
    /// </summary>
    public bool IsServing(string path = "live")
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, ClientPort);
            using NetworkStream stream = client.GetStream();
            stream.ReadTimeout = 2000;
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"DESCRIBE {ClientUrl(path)} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n"));
            var buffer = new byte[64];
            int n = stream.Read(buffer);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n).StartsWith("RTSP/1.0 200", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    /// <summary>Kills the relay (as a crash would: its connections drop at once).</summary>
    public void Kill()
    {
        ChildProcess.Stop(_process);
        _process = null;
    }

    public void Dispose() => Kill();

    // The relay takes RTP from publishers on UDP ports counted up from this one; pick an even port whose pair is free now.
    private static int FreeUdpPortPair()
    {
        for (int tries = 0; tries < 100; tries++)
        {
            int port = 2 * Random.Shared.Next(10000, 16000); // 20000..32000, below Linux's ephemeral range
            try
            {
                using var a = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                using var b = new UdpClient(new IPEndPoint(IPAddress.Loopback, port + 1));
                using var c = new UdpClient(new IPEndPoint(IPAddress.Loopback, port + 2));
                using var d = new UdpClient(new IPEndPoint(IPAddress.Loopback, port + 3));
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        throw new InvalidOperationException("No free UDP port pair found for the relay's RTP listeners.");
    }
}
