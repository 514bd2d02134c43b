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
                Assert.True(sink.WriteAsync(frame, CancellationToken.None).IsCompletedSuccessfully);
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

    /// <summary>A publisher whose broker is always away.</summary>
    private sealed class UnreachablePublisher : IMessagePublisher
    {
        public string Name => "fake";

        public bool IsConnected => false;

        public bool Disposed { get; private set; }

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => throw new IOException("broker down");

        public ValueTask<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(false);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
