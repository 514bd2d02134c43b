using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenCvSharp;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Sinks;

/// <summary>
/// The publish sink against real peers started by each test: Debian's rtsp-server-perl relay, ffprobe as the viewer,
/// a closed port, and a TCP listener that never answers (a stalled server).
/// </summary>
public class RtspPublishSinkTests(ITestOutputHelper output)
{
    private const double Fps = 25;

    [Fact]
    public async Task WriteAsync_ToRealRelay_ViewerDecodesH264WithAtLeast90PercentOfFrames()
    {
        using var relay = RtspRelay.Start();
        var log = new StringWriter();
        var sink = new RtspPublishSink(new RtspPublishSinkOptions(relay.SourceUrl("out")) { Fps = Fps }, new TextWriterLogger<RtspPublishSink>(log));
        Viewer? viewer = null;
        try
        {
            using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
            var clock = Stopwatch.StartNew();
            long sentBeforeViewer = 0;
            const int total = 100;
            for (int i = 0; i < total; i++)
            {
                await PaceAsync(clock, i, CancellationToken.None);
                TestFrames.MovingRectangle(frame, i);
                await sink.WriteAsync(frame, CancellationToken.None);
                if (viewer is null && sink.State == RtspPublishState.Live)
                {
                    // The relay has the stream (ANNOUNCE/RECORD done) only now; a viewer started earlier gets 404.
                    sentBeforeViewer = sink.FramesWritten;
                    viewer = Viewer.Start(relay.ClientUrl("out"));
                }
            }

            await sink.CompleteAsync(CancellationToken.None);

            Assert.True(viewer is not null, $"The sink never went live.{Environment.NewLine}{log}");
            ViewerResult seen = await viewer.WaitAsync(TimeSpan.FromSeconds(15));
            output.WriteLine($"viewer: {seen.Codec} {seen.Width}x{seen.Height}, {seen.Frames} decoded of {seen.SpanFrames} sent while watching; {sentBeforeViewer} of {total} sent before it started{Environment.NewLine}{log}");
            Assert.Equal(total, sink.FramesWritten);
            Assert.Equal(0, sink.Dropped);
            Assert.Equal(0, sink.Reconnects);
            Assert.Equal(RtspPublishState.Stopped, sink.State);
            Assert.Equal("h264", seen.Codec);
            Assert.Equal(320, seen.Width);
            Assert.Equal(240, seen.Height);

            // The viewer joins a running stream: it decodes from the first keyframe it gets (the GOP is 1 s), so it
            // cannot see every frame sent. What it should see is every frame between its first and last one, which the
            // RTP timestamps count exactly (3600 ticks of 90 kHz per frame at 25 fps). RTP over UDP on loopback loses
            // nothing unless a socket buffer overflows, which can happen when the single-threaded Perl relay is starved
            // of CPU on a loaded 2-core machine: hence ≥ 90 % rather than 100 %.
            Assert.True(seen.Frames >= 25, $"The viewer decoded only {seen.Frames} frames (less than 1 s).");
            Assert.InRange(seen.SpanFrames, seen.Frames, total - sentBeforeViewer);
            Assert.True(seen.Frames >= 0.9 * seen.SpanFrames, $"The viewer decoded {seen.Frames} of the {seen.SpanFrames} frames sent while it watched.");
            Assert.True(log.ToString().Contains("live on", StringComparison.Ordinal), log.ToString());
        }
        finally
        {
            viewer?.Dispose();
            await sink.DisposeAsync();
        }
    }

    [Fact]
    public async Task RelayKilledMidRun_SinkDropsWithoutThrowing_ThenReconnectsWhenRelayIsBack()
    {
        using var relay = RtspRelay.Start();
        var log = new StringWriter();
        var options = new RtspPublishSinkOptions(relay.SourceUrl("out"))
        {
            Fps = Fps,
            Reconnect = ReconnectPolicy.Default with { InitialDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(1) },
        };
        var sink = new RtspPublishSink(options, new TextWriterLogger<RtspPublishSink>(log));
        using var stop = new CancellationTokenSource();
        Task<TimeSpan> feeder = FeedAsync(sink, stop.Token);
        Viewer? viewer = null;
        try
        {
            await WaitForAsync(() => sink.State == RtspPublishState.Live, TimeSpan.FromSeconds(10), "the first session", log, feeder);
            await Task.Delay(1000);

            relay.Kill();
            await WaitForAsync(() => sink.State == RtspPublishState.Reconnecting, TimeSpan.FromSeconds(5), "the lost session", log, feeder);
            long droppedAtLoss = sink.Dropped;
            await Task.Delay(800);
            Assert.True(sink.Dropped > droppedAtLoss, $"No frame was dropped while the relay was down.{Environment.NewLine}{log}");
            Assert.Equal(0, sink.Reconnects);

            relay.Restart();
            var back = Stopwatch.StartNew();
            await WaitForAsync(() => sink.State == RtspPublishState.Live && sink.Reconnects >= 1, options.Reconnect.MaxDelay + TimeSpan.FromSeconds(5), "the new session", log, feeder);
            back.Stop();

            // The viewer watches until it has decoded a second of the new session. How long its start-up (a process,
            // DESCRIBE/SETUP/PLAY, the next keyframe) takes depends on the machine's load, so that is polled for, not slept.
            Viewer watching = viewer = Viewer.Start(relay.ClientUrl("out"));
            await WaitForAsync(() => watching.FramesSoFar >= (int)Fps || watching.HasExited, Readiness.Timeout, "the viewer to decode 1 s of the new session", log, feeder);
            await stop.CancelAsync();
            TimeSpan longestWrite = await feeder;
            await sink.CompleteAsync(CancellationToken.None);
            ViewerResult seen = await viewer.WaitAsync(TimeSpan.FromSeconds(15));
            output.WriteLine($"back after {back.Elapsed.TotalSeconds:0.00} s; longest write {longestWrite.TotalMilliseconds:0} ms; sent {sink.FramesWritten}, dropped {sink.Dropped}; viewer {seen.Frames} of {seen.SpanFrames}{Environment.NewLine}{log}");
            Assert.Equal("h264", seen.Codec);
            Assert.True(seen.Frames >= 10, $"The viewer decoded only {seen.Frames} frames after the reconnect.");
            Assert.True(back.Elapsed <= options.Reconnect.MaxDelay + TimeSpan.FromSeconds(4), $"Reconnecting took {back.Elapsed} after the relay was back.");
            Assert.True(longestWrite < options.WriteTimeout + TimeSpan.FromSeconds(1), $"A write took {longestWrite}.");
            string text = log.ToString();
            Assert.True(text.Contains("lost the session", StringComparison.Ordinal), text);
            Assert.True(text.Contains("again (reconnect 1)", StringComparison.Ordinal), text);
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreFaultAsync(feeder);
            viewer?.Dispose();
            await sink.DisposeAsync();
        }
    }

    [Fact]
    public async Task CredentialsInUrl_NeverAppearInLogOrMessages()
    {
        const string secret = "s3cr3t-Pa55";
        using var relay = RtspRelay.Start();
        var log = new StringWriter();
        var logger = new TextWriterLogger<RtspPublishSink>(log);
        string url = relay.SourceUrl("out", "publisher:" + secret);

        // Two publishers on one path: the relay accepts the first and answers the second's ANNOUNCE with 403, so ffmpeg's
        // error text goes through the log as well.
        var first = new RtspPublishSink(new RtspPublishSinkOptions(url) { Fps = Fps, Name = "first" }, logger);
        var second = new RtspPublishSink(new RtspPublishSinkOptions(url) { Fps = Fps, Name = "second" }, logger);
        var messages = new List<string>();
        try
        {
            using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
            var clock = Stopwatch.StartNew();
            for (int i = 0; first.State != RtspPublishState.Live || second.State != RtspPublishState.Reconnecting; i++)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"States: first {first.State}, second {second.State}.{Environment.NewLine}{log}");
                await PaceAsync(clock, i, CancellationToken.None);
                TestFrames.MovingRectangle(frame, i);
                await first.WriteAsync(frame, CancellationToken.None);
                if (first.State == RtspPublishState.Live)
                {
                    await second.WriteAsync(frame, CancellationToken.None);
                }
            }

            using Frame other = TestFrames.Solid(64, 48, Scalar.Black);
            messages.Add((await Assert.ThrowsAsync<InvalidOperationException>(async () => await first.WriteAsync(other, CancellationToken.None))).Message);
            messages.Add(Assert.ThrowsAny<ArgumentException>(() => new RtspPublishSink(new RtspPublishSinkOptions(url) { Transport = "quic" })).Message);
            messages.Add(Assert.ThrowsAny<ArgumentException>(() => new RtspPublishSink(new RtspPublishSinkOptions($"http://publisher:{secret}@127.0.0.1/out"))).Message);
            messages.Add(new RtspPublishSinkOptions(url).ToString());
            messages.Add(first.DisplayUrl);

            // Disposing without completing kills the encoder at once: the child never outlives the sink.
            int pid = first.EncoderProcessId!.Value;
            await first.DisposeAsync();
            Assert.True(ChildProcess.HasExited(pid), "ffmpeg outlived the disposed sink");
            await second.CompleteAsync(CancellationToken.None);
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        string text = log + string.Join(Environment.NewLine, messages);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.True(text.Contains("rtsp://***@127.0.0.1", StringComparison.Ordinal), text);
        Assert.True(text.Contains("second: could not open a session", StringComparison.Ordinal), text);
        Assert.True(text.Contains("403 Forbidden", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task NoServer_FramesAreDroppedWithoutThrowing_AndRetriesBackOffExponentially()
    {
        int closedPort = Ports.Free();
        var log = new StringWriter();
        var sink = new RtspPublishSink(new RtspPublishSinkOptions(string.Create(CultureInfo.InvariantCulture, $"rtsp://127.0.0.1:{closedPort}/out"))
        {
            Fps = Fps,
            Reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400), Jitter = 0 },
        }, new TextWriterLogger<RtspPublishSink>(log));
        using var stop = new CancellationTokenSource();
        Task<TimeSpan> feeder = FeedAsync(sink, stop.Token);
        try
        {
            await WaitForAsync(() => log.ToString().Contains("reconnecting in 0.4 s", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "backoff to reach its maximum", log, feeder);
            await stop.CancelAsync();
            await feeder;
            int? pid = sink.EncoderProcessId;
            await sink.CompleteAsync(CancellationToken.None);
            await sink.DisposeAsync();

            Assert.True(sink.Dropped > 0);
            Assert.Equal(0, sink.Reconnects);
            Assert.Equal(RtspPublishState.Stopped, sink.State);
            Assert.True(pid is null || ChildProcess.HasExited(pid.Value), "ffmpeg outlived the disposed sink");
            string text = log.ToString();
            Assert.True(text.Contains("Connection refused", StringComparison.Ordinal), text);
            int i1 = text.IndexOf("reconnecting in 0.1 s", StringComparison.Ordinal);
            int i2 = text.IndexOf("reconnecting in 0.2 s", StringComparison.Ordinal);
            int i4 = text.IndexOf("reconnecting in 0.4 s", StringComparison.Ordinal);
            Assert.True(i1 >= 0 && i1 < i2 && i2 < i4, text);
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreFaultAsync(feeder);
            await sink.DisposeAsync();
        }
    }

    [Fact]
    public async Task StalledServer_WritesTimeOut_FfmpegIsKilled_AndThePipelineIsNotHeld()
    {
        // A server that accepts the TCP connection and never answers: ffmpeg waits in ANNOUNCE and stops reading frames.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var log = new StringWriter();
        var options = new RtspPublishSinkOptions(string.Create(CultureInfo.InvariantCulture, $"rtsp://127.0.0.1:{port}/out"))
        {
            Fps = Fps,
            WriteTimeout = TimeSpan.FromMilliseconds(500),
        };
        var sink = new RtspPublishSink(options, new TextWriterLogger<RtspPublishSink>(log));
        using var stop = new CancellationTokenSource();
        Task<TimeSpan> feeder = FeedAsync(sink, stop.Token);
        try
        {
            await WaitForAsync(() => sink.State == RtspPublishState.Reconnecting, TimeSpan.FromSeconds(10), "the stall to be noticed", log, feeder);
            await stop.CancelAsync();
            TimeSpan longestWrite = await feeder;

            Assert.True(longestWrite < options.WriteTimeout + TimeSpan.FromSeconds(1), $"A write took {longestWrite}.");
            Assert.True(sink.Dropped >= 1);
            Assert.True(log.ToString().Contains("server stalled", StringComparison.Ordinal), log.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreFaultAsync(feeder);
            await sink.DisposeAsync();
        }
    }

    [Fact]
    public void Options_Invalid_Throw()
    {
        Assert.Throws<ArgumentException>(() => new RtspPublishSink(new RtspPublishSinkOptions("/tmp/out.mp4")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtspPublishSink(new RtspPublishSinkOptions("rtsp://h/x") { Transport = "UDP " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtspPublishSink(new RtspPublishSinkOptions("rtsp://h/x") { Fps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtspPublishSink(new RtspPublishSinkOptions("rtsp://h/x") { Reconnect = ReconnectPolicy.Default with { MaxDelay = TimeSpan.FromMilliseconds(100) } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtspPublishSink(new RtspPublishSinkOptions("rtsp://h/x") { Reconnect = ReconnectPolicy.Default with { Jitter = 1.5 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtspPublishSink(new RtspPublishSinkOptions("rtsp://h/x") { WriteTimeout = TimeSpan.Zero }));
    }

    private static async Task PaceAsync(Stopwatch clock, int frameIndex, CancellationToken cancellationToken)
    {
        TimeSpan wait = TimeSpan.FromSeconds(frameIndex / Fps) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>Feeds 320×240 frames at 25 fps until <paramref name="stop"/>; returns the longest single write.</summary>
    private static async Task<TimeSpan> FeedAsync(RtspPublishSink sink, CancellationToken stop)
    {
        await Task.Yield();
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        var clock = Stopwatch.StartNew();
        TimeSpan longest = TimeSpan.Zero;
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                await PaceAsync(clock, i, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            TestFrames.MovingRectangle(frame, i);
            long start = Stopwatch.GetTimestamp();
            await sink.WriteAsync(frame, CancellationToken.None);
            TimeSpan took = Stopwatch.GetElapsedTime(start);
            longest = took > longest ? took : longest;
        }

        return longest;
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, StringWriter log, Task feeder)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (feeder.IsFaulted)
            {
                await feeder; // the sink threw: show why
            }

            Assert.True(clock.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds} s waiting for {what}.{Environment.NewLine}{log}");
            await Task.Delay(20);
        }
    }

    private static async Task IgnoreFaultAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Cleanup only; a fault has already failed the test through its assertions.
        }
    }

    private sealed record ViewerResult(string Codec, int Width, int Height, int Frames, long SpanFrames);

    /// <summary>
    /// ffprobe pulling the stream over UDP and listing every decoded frame's timestamp; it ends 2 s after the stream stops.
    /// Its output is read line by line as it comes (stdbuf: ffprobe's stdout is a pipe), so a test can see it progress.
    /// </summary>
    private sealed class Viewer : IDisposable
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private Process? _process;
        private int _framesSoFar;

        /// <summary>Gets how many frames the viewer has decoded so far.</summary>
        public int FramesSoFar => Volatile.Read(ref _framesSoFar);

        public bool HasExited => _process!.HasExited;

        public static Viewer Start(string url)
        {
            var viewer = new Viewer();
            viewer._process = ChildProcess.Start(
                "stdbuf",
                [
                    "-oL", "ffprobe", "-v", "error", "-rtsp_transport", "udp", "-timeout", "2000000", "-select_streams", "v:0",
                    "-show_entries", "stream=codec_name,width,height,time_base:frame=pts", "-of", "json", url,
                ],
                viewer.OnOutputLine,
                viewer.OnErrorLine);
            return viewer;
        }

        public async Task<ViewerResult> WaitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process!.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The viewer did not end within {timeout.TotalSeconds} s.");
            }

            _process!.WaitForExit(); // every output line has been handled
            string json;
            string stderr;
            lock (_stdout)
            {
                json = _stdout.ToString();
                stderr = _stderr.ToString();
            }

            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement root = doc.RootElement;
            Assert.True(root.TryGetProperty("streams", out JsonElement streams) && streams.GetArrayLength() == 1, $"The viewer found no video stream: {json} {stderr}");
            JsonElement s = streams[0];
            string[] timeBase = s.GetProperty("time_base").GetString()!.Split('/');
            double ticksPerFrame = double.Parse(timeBase[1], CultureInfo.InvariantCulture) / double.Parse(timeBase[0], CultureInfo.InvariantCulture) / Fps;
            var pts = new List<long>();
            if (root.TryGetProperty("frames", out JsonElement frames))
            {
                foreach (JsonElement f in frames.EnumerateArray())
                {
                    if (f.TryGetProperty("pts", out JsonElement p))
                    {
                        pts.Add(p.GetInt64());
                    }
                }
            }

            long span = pts.Count == 0 ? 0 : (long)Math.Round((pts.Max() - pts.Min()) / ticksPerFrame) + 1;
            return new ViewerResult(s.GetProperty("codec_name").GetString()!, s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(), pts.Count, span);
        }

        public void Dispose() => ChildProcess.Stop(_process);

        private void OnOutputLine(string line)
        {
            lock (_stdout)
            {
                _stdout.AppendLine(line);
            }

            // The JSON writer puts each frame's "pts" on a line of its own; the stream section has none.
            if (line.TrimStart().StartsWith("\"pts\":", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _framesSoFar);
            }
        }

        private void OnErrorLine(string line)
        {
            lock (_stdout)
            {
                _stderr.AppendLine(line);
            }
        }
    }
}
