using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

public class MessageSinkTests
{
    [Fact]
    public async Task WriteAsync_BrokerNeverReachable_CompletesSynchronouslyAndCompleteGivesUpAfterDrainTimeout()
    {
        var publisher = new UnreachablePublisher();
        var sink = new MessageSink(publisher, new MessageSinkOptions { Capacity = 4, DrainTimeout = TimeSpan.FromMilliseconds(200), Reconnect = ReconnectPolicy.Default with { InitialDelay = TimeSpan.FromMilliseconds(20) } });
        await using (sink)
        {
            using Frame frame = TestFrames.Solid(8, 6, Scalar.Black);
            for (int i = 0; i < 20; i++)
            {
                frame.Meta.Index = i;
                Assert.True(await CompletedAtOnceAsync(sink.WriteAsync(frame, CancellationToken.None)));
            }

            var clock = Stopwatch.StartNew();
            await sink.CompleteAsync(CancellationToken.None);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"CompleteAsync took {clock.Elapsed}");
            Assert.Equal(20, sink.Enqueued);
            Assert.Equal(0, sink.Published);
            Assert.Equal(20, sink.Dropped);
            Assert.Equal(0, sink.Pending);
            Assert.True(sink.ConnectFailures >= 1);
            Assert.Equal("broker down", sink.LastError);
            Assert.Equal("fake", sink.Name);
        }

        Assert.True(publisher.Disposed);
    }

    [Fact]
    public async Task Reconnect_MaxAttempts_StopsConnectingThenDropsEveryMessage()
    {
        var publisher = new UnreachablePublisher();
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 3 };
        await using var sink = new MessageSink(publisher, new MessageSinkOptions { Reconnect = policy, DrainTimeout = TimeSpan.FromSeconds(5) });
        var clock = Stopwatch.StartNew();
        while (sink.ConnectFailures < 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{sink.ConnectFailures} connect failures");
            await Task.Delay(5);
        }

        await Task.Delay(300);
        Assert.Equal(3, sink.ConnectFailures);
        Assert.Equal(3, publisher.ConnectCalls);

        using Frame frame = TestFrames.Solid(8, 6, Scalar.Black);
        for (int i = 0; i < 5; i++)
        {
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        // The loop has ended, so completing does not wait for the drain timeout.
        clock.Restart();
        await sink.CompleteAsync(CancellationToken.None);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"CompleteAsync took {clock.Elapsed}");
        Assert.Equal(5, sink.Dropped);
        Assert.Equal(0, sink.Published);
    }

    [Fact]
    public async Task DisposeAsync_DuringALongReconnectWait_EndsPromptly()
    {
        var publisher = new UnreachablePublisher();
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(60), MaxDelay = TimeSpan.FromSeconds(60) };
        var sink = new MessageSink(publisher, new MessageSinkOptions { Reconnect = policy });
        var clock = Stopwatch.StartNew();
        while (sink.ConnectFailures < 1)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "no connect attempt");
            await Task.Delay(5);
        }

        clock.Restart();
        await sink.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"DisposeAsync took {clock.Elapsed} during a 48-60 s wait");
        Assert.Equal(1, publisher.ConnectCalls);
        Assert.True(publisher.Disposed);
    }

    /// <summary>A publisher whose broker is always away.</summary>
    private sealed class UnreachablePublisher : IMessagePublisher
    {
        public string Name => "fake";

        public bool IsConnected => false;

        public bool Disposed { get; private set; }

        public int ConnectCalls { get; private set; }

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
        {
            ConnectCalls++;
            throw new IOException("broker down");
        }

        public ValueTask<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(false);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    // Says whether a write had completed when it returned (the sink only enqueues), and consumes the ValueTask once,
    // as its contract asks: awaited when complete, otherwise handed over to a task and reported as not complete.
    private static async Task<bool> CompletedAtOnceAsync(ValueTask write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            _ = write.AsTask();
            return false;
        }

        await write;
        return true;
    }
}
