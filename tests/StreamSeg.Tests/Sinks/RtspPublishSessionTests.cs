using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

/// <summary>
/// One publish session per ffmpeg process, and the sink's reconnecting around it, with a scripted stand-in for ffmpeg
/// (<see cref="FakeFfmpeg"/>): what ffmpeg says and when it dies is decided by the test, not by a server.
/// </summary>
public class RtspPublishSessionTests
{
    [Fact]
    public async Task Session_FfmpegDies_EndsOnceWithTheExitCodeAndFfmpegsFirstError()
    {
        using var ffmpeg = new FakeFfmpeg($"{FakeFfmpeg.Error("Connection refused")}\n{FakeFfmpeg.Error("Could not write header")}\nexit 3");
        var events = new SessionEvents();
        await using var session = events.Create(TimeSpan.FromSeconds(2));
        session.Start(onStderr => FfmpegEncoderProcess.Start(ffmpeg.Path, [], onStderr));

        string reason = await events.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);

        Assert.Equal("ffmpeg exited with code 3: Connection refused", reason);
        Assert.Equal(1, events.EndedCount);
        Assert.Equal(0, events.LiveCount);
        Assert.False(session.IsLive);

        // A write to a session that has ended fails quietly (the frame is the caller's to count) and reports nothing more.
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        Assert.False(await session.WriteAsync(frame.Image, CancellationToken.None));
        Assert.Equal(1, events.EndedCount);
    }

    [Fact]
    public async Task Session_OutputLine_GoesLiveOnce_AndWritesGetThrough()
    {
        using var ffmpeg = new FakeFfmpeg($"{FakeFfmpeg.OutputLine}\n{FakeFfmpeg.OutputLine}\nexec cat > /dev/null");
        var events = new SessionEvents();
        await using var session = events.Create(TimeSpan.FromSeconds(2));
        session.Start(onStderr => FfmpegEncoderProcess.Start(ffmpeg.Path, [], onStderr));
        await events.Live.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(await session.WriteAsync(frame.Image, CancellationToken.None));
        }

        Assert.True(await session.CloseAsync(TimeSpan.FromSeconds(5), CancellationToken.None), "cat did not exit when its input closed");
        Assert.True(session.IsLive);
        Assert.Equal(1, events.LiveCount);
    }

    [Fact]
    public async Task Session_FfmpegStopsReading_TheWatchdogEndsTheWriteKillsFfmpegAndReportsTheStall()
    {
        // sleep never reads its input: the pipe fills and the write blocks, as with a server that stalls ffmpeg.
        using var ffmpeg = new FakeFfmpeg("exec sleep 60");
        var events = new SessionEvents();
        await using var session = events.Create(TimeSpan.FromMilliseconds(300));
        session.Start(onStderr => FfmpegEncoderProcess.Start(ffmpeg.Path, [], onStderr));
        int pid = session.ProcessId!.Value;

        using Frame frame = TestFrames.Solid(640, 480, Scalar.Black);
        var clock = Stopwatch.StartNew();
        bool sent = await session.WriteAsync(frame.Image, CancellationToken.None);
        clock.Stop();

        Assert.False(sent);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the write was held for {clock.Elapsed}");
        Assert.Equal("ffmpeg took no frame for 0.3 s, server stalled; killed it", await events.Ended.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(200);
        Assert.Equal(1, events.EndedCount);
        Assert.True(ChildProcess.HasExited(pid), "the stalled ffmpeg was not killed");
    }

    [Fact]
    public async Task Sink_SessionsFfmpegDies_IsReportedAsLost_AndTheSinkReconnectsWithANewFfmpeg()
    {
        // The first ffmpeg goes live, takes two frames and dies; the second goes live and stays.
        using var ffmpeg = new FakeFfmpeg($"""
            {FakeFfmpeg.OutputLine}
            if [ $n -eq 1 ]; then head -c 460800 > /dev/null; {FakeFfmpeg.Error("Connection reset by peer")}; exit 1; fi
            exec cat > /dev/null
            """);
        var log = new StringWriter();
        var logger = new TextWriterLogger<RtspPublishSink>(log);
        var sink = new RtspPublishSink(
            new RtspPublishSinkOptions("rtsp://user:pw@127.0.0.1:1/out")
            {
                FfmpegPath = ffmpeg.Path,
                Reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(50), Jitter = 0 },
            },
            logger);
        var pids = new HashSet<int>();
        try
        {
            using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
            var clock = Stopwatch.StartNew();
            while (!(sink.State == RtspPublishState.Live && sink.Reconnects == 1))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"state {sink.State}, {sink.Reconnects} reconnects{Environment.NewLine}{log}");
                await sink.WriteAsync(frame, CancellationToken.None);
                if (sink.EncoderProcessId is int pid)
                {
                    pids.Add(pid);
                }

                await Task.Delay(10);
            }

            await sink.WriteAsync(frame, CancellationToken.None);
            await sink.CompleteAsync(CancellationToken.None);
        }
        finally
        {
            await sink.DisposeAsync();
        }

        string text = log.ToString();
        Assert.Equal(2, ffmpeg.Starts);
        Assert.Equal(2, pids.Count);
        Assert.True(sink.Dropped >= 1, text);
        Assert.True(sink.FramesWritten >= 3, text);
        Assert.Equal(RtspPublishState.Stopped, sink.State);
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "publish: connecting to rtsp://***@127.0.0.1:1/out over udp",
                "publish: live on rtsp://***@127.0.0.1:1/out",
                "publish: lost the session on rtsp://***@127.0.0.1:1/out (ffmpeg exited with code 1: Connection reset by peer); reconnecting in 0.05 s",
                "publish: connecting to rtsp://***@127.0.0.1:1/out over udp (attempt 2)",
                "publish: live on rtsp://***@127.0.0.1:1/out again (reconnect 1)",
                string.Create(CultureInfo.InvariantCulture, $"publish: stopped after {sink.FramesWritten} frames sent, {sink.Dropped} dropped, 1 reconnects"),
            ],
            lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, logger.Levels[2]);
    }

    [Fact]
    public async Task Sink_MaxAttempts_GivesUpAfterThatManyReconnectAttempts_AndDropsTheRest()
    {
        using var ffmpeg = new FakeFfmpeg($"{FakeFfmpeg.Error("Connection refused")}\nexit 1");
        var log = new StringWriter();
        var sink = new RtspPublishSink(
            new RtspPublishSinkOptions("rtsp://127.0.0.1:1/out")
            {
                FfmpegPath = ffmpeg.Path,
                Reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 2 },
            },
            new TextWriterLogger<RtspPublishSink>(log));
        await using (sink)
        {
            using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
            var clock = Stopwatch.StartNew();
            while (sink.State != RtspPublishState.Stopped)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"state {sink.State}{Environment.NewLine}{log}");
                await sink.WriteAsync(frame, CancellationToken.None);
                await Task.Delay(10);
            }

            long dropped = sink.Dropped;
            for (int i = 0; i < 5; i++)
            {
                await sink.WriteAsync(frame, CancellationToken.None);
            }

            await Task.Delay(100);
            Assert.Equal(dropped + 5, sink.Dropped);
            Assert.Null(sink.EncoderProcessId is int pid && !ChildProcess.HasExited(pid) ? pid : null);
        }

        // The first start, then two reconnect attempts; no third.
        Assert.Equal(3, ffmpeg.Starts);
        Assert.Equal(0, sink.FramesWritten);
        Assert.Contains("could not open a session on rtsp://127.0.0.1:1/out (ffmpeg exited with code 1: Connection refused); gave up after 2 reconnect attempts", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_FfmpegMissing_ThrowsWhatToInstall_WithoutCredentials_AndLeavesNoSession()
    {
        await using var sink = new RtspPublishSink(new RtspPublishSinkOptions("rtsp://user:pw@127.0.0.1:1/out") { FfmpegPath = "/nonexistent/ffmpeg" });
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        IOException ex = await Assert.ThrowsAsync<IOException>(async () => await sink.WriteAsync(frame, CancellationToken.None));
        Assert.StartsWith("Cannot publish to 'rtsp://***@127.0.0.1:1/out': ffmpeg ('/nonexistent/ffmpeg') could not be started (", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("Install ffmpeg or set FfmpegPath.", ex.Message, StringComparison.Ordinal);
        Assert.Null(sink.EncoderProcessId);
        Assert.Equal(0, sink.Dropped);
    }

    /// <summary>Records a session's callbacks.</summary>
    private sealed class SessionEvents
    {
        private int _live;
        private int _ended;

        public TaskCompletionSource Live { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<string> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int LiveCount => Volatile.Read(ref _live);

        public int EndedCount => Volatile.Read(ref _ended);

        public RtspPublishSession Create(TimeSpan writeTimeout) => new(
            writeTimeout,
            _ =>
            {
                Interlocked.Increment(ref _live);
                Live.TrySetResult();
            },
            (_, reason) =>
            {
                Interlocked.Increment(ref _ended);
                Ended.TrySetResult(reason);
            });
    }
}
