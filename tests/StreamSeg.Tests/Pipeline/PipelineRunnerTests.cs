using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Fakes;

namespace StreamSeg.Tests.Pipeline;

public class PipelineRunnerTests
{
    private static (IStage<Frame, Frame>, PipelineStage) Pass(string name, PipelineStage id) => (new DelegateStage(name, f => f), id);

    [Fact]
    public async Task RunAsync_FileSources_EveryFrameReachesEverySinkInOrder()
    {
        var sink1 = new CollectingTestSink("a");
        var sink2 = new CollectingTestSink("b", TimeSpan.FromMilliseconds(1));
        var stats = new PipelineStats();
        var runner = new PipelineRunner(PipelineOptions.Default, stats);
        IFrameSource[] sources = [new SyntheticSource("one", 120), new SyntheticSource("two", 80, 32, 32)];

        PipelineResult result = await runner.RunAsync(
            sources,
            [Pass("p", PipelineStage.Preprocess), Pass("q", PipelineStage.Decode)],
            [new SinkBinding(sink1, EdgeOptions.Lossless), new SinkBinding(sink2, EdgeOptions.Lossless)],
            CancellationToken.None);

        Assert.Equal(200, result.FramesIn);
        Assert.Equal(200, result.FramesOut);
        Assert.Equal(0, result.Dropped);

        // Buffers are reused: what the pools created is bounded by the queues, not by the 200 frames, and all came back.
        Assert.InRange(result.FrameBuffersCreated, 2, 40);
        Assert.Equal(0, result.FramesNotReturned);
        foreach (CollectingTestSink sink in new[] { sink1, sink2 })
        {
            Assert.True(sink.Completed);
            Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), sink.Frames.Where(f => f.Source == "one").Select(f => f.Index));
            Assert.Equal(Enumerable.Range(0, 80).Select(i => (long)i), sink.Frames.Where(f => f.Source == "two").Select(f => f.Index));
            Assert.All(sink.Frames, f => Assert.Equal((byte)(f.Index % 256), f.Marker));
            Assert.DoesNotContain(sink.Frames, f => f.Discontinuity);
        }
    }

    [Fact]
    public async Task RunAsync_LiveSourceFasterThanStage_DropsOldestCountsAndFlags()
    {
        var sink = new CollectingTestSink();
        var stats = new PipelineStats();
        var runner = new PipelineRunner(PipelineOptions.Default, stats);
        var slow = new DelegateStage("slow", f =>
        {
            Thread.Sleep(20);
            return f;
        });

        PipelineResult result = await runner.RunAsync(
            [new SyntheticSource("cam", 400, live: true, interval: TimeSpan.FromMilliseconds(2))],
            [(slow, PipelineStage.Inference)],
            [new SinkBinding(sink, EdgeOptions.Lossless)],
            CancellationToken.None);

        Assert.Equal(400, result.FramesIn);
        Assert.True(sink.Frames.Count > 5, $"only {sink.Frames.Count} frames came out");
        Assert.True(result.Dropped > 0, "a live source faster than the pipeline must drop");
        Assert.Equal(result.FramesIn, result.FramesOut + result.Dropped);
        Assert.Equal(0, result.FramesNotReturned);
        Assert.Contains(sink.Frames, f => f.Discontinuity);
        Assert.Equal(sink.Frames.Select(f => f.Index).OrderBy(i => i), sink.Frames.Select(f => f.Index));
    }

    [Fact]
    public async Task RunAsync_SlowSink_DropsOnlyOnItsOwnEdge_OthersKeepEveryFrame()
    {
        var fast = new CollectingTestSink("fast");
        var slow = new CollectingTestSink("slow", TimeSpan.FromMilliseconds(25));
        var stats = new PipelineStats();
        var runner = new PipelineRunner(PipelineOptions.Default, stats);

        // A live source at ~250 fps; the slow sink manages ~40 fps behind a DropOldest edge of 2.
        PipelineResult result = await runner.RunAsync(
            [new SyntheticSource("cam", 300, live: true, interval: TimeSpan.FromMilliseconds(4))],
            [Pass("p", PipelineStage.Preprocess)],
            [new SinkBinding(fast, new EdgeOptions(8, FrameDropPolicy.DropOldest)), new SinkBinding(slow, new EdgeOptions(2, FrameDropPolicy.DropOldest))],
            CancellationToken.None);

        Assert.Equal(300, result.FramesIn);
        Assert.Equal(result.FramesIn, result.FramesOut + result.Dropped);
        Assert.Equal(result.FramesOut, fast.Frames.Count);
        Assert.True(slow.Frames.Count < fast.Frames.Count, $"slow {slow.Frames.Count}, fast {fast.Frames.Count}");
        Edge slowEdge = stats.Edges.Single(e => e.Name == "sink[slow]");
        Edge fastEdge = stats.Edges.Single(e => e.Name == "sink[fast]");
        Assert.Equal(0, fastEdge.Dropped);
        Assert.Equal(result.FramesOut - slow.Frames.Count, slowEdge.Dropped);
        Assert.Equal(slowEdge.Dropped, result.SinkDropped);
        Assert.Equal(0, result.FramesNotReturned);
    }

    [Fact]
    public async Task RunAsync_StageFault_StopsWithStageAndFrameAndFinalisesSinks()
    {
        var sink = new CollectingTestSink();
        var runner = new PipelineRunner(PipelineOptions.Default, new PipelineStats());
        var bad = new DelegateStage("boom", f => f.Meta.Index == 7 ? throw new InvalidOperationException("bad tensor") : f);

        StageException ex = await Assert.ThrowsAsync<StageException>(() => runner.RunAsync(
            [new SyntheticSource("vid", 1000)],
            [(bad, PipelineStage.Decode)],
            [new SinkBinding(sink, EdgeOptions.Lossless)],
            CancellationToken.None));

        Assert.Equal("boom", ex.Stage);
        Assert.Equal(7, ex.FrameIndex);
        Assert.Contains("frame 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bad tensor", ex.Message, StringComparison.Ordinal);
        Assert.True(sink.Completed);
        Assert.Equal(7, sink.Frames.Count);
    }

    [Fact]
    public async Task RunAsync_SourceFault_ReportsSource()
    {
        var runner = new PipelineRunner(PipelineOptions.Default, new PipelineStats());
        SourceException ex = await Assert.ThrowsAsync<SourceException>(() => runner.RunAsync(
            [new SyntheticSource("flaky", 100, failAt: 3)],
            [Pass("p", PipelineStage.Preprocess)],
            [new SinkBinding(new CollectingTestSink(), EdgeOptions.Lossless)],
            CancellationToken.None));
        Assert.Contains("flaky", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StopToken_DrainsAndFinalises()
    {
        var sink = new CollectingTestSink();
        var runner = new PipelineRunner(PipelineOptions.Default, new PipelineStats());
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        PipelineResult result = await runner.RunAsync(
            [new SyntheticSource("long", 100000, interval: TimeSpan.FromMilliseconds(2))],
            [Pass("p", PipelineStage.Preprocess)],
            [new SinkBinding(sink, EdgeOptions.Lossless)],
            stop.Token);

        Assert.True(result.Cancelled);
        Assert.True(sink.Completed);
        Assert.InRange(result.FramesIn, 1, 99999);

        // Draining means every frame captured before the stop still reached the sink.
        Assert.Equal(result.FramesIn, sink.Frames.Count);
    }

    [Fact]
    public async Task RunAsync_StopThenAbortWhileCaptureIsBlockedOnAFullEdge_IsCancelledNotAFault()
    {
        // Issue 10 bug 1: a stage that holds frame 10 until cancelled back-pressures a lossless source until its capture
        // thread blocks in the edge write; Ctrl+C then a second Ctrl+C cancel that write. Before the fix the
        // OperationCanceledException faulted the capture task and the run failed with "The pipeline failed." (exit 1).
        using var tensors = new StreamSeg.Memory.TensorPools();
        var stats = new PipelineStats();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new DelegateStage("slow", async (f, ct) =>
        {
            lock (tensors)
            {
                f.Payload = tensors.Rent([1, 4], StreamSeg.Memory.TensorElement.Float32);
            }

            if (f.Meta.Index == 10)
            {
                blocked.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return f;
        });
        var sinks = new[] { new CollectingTestSink("a"), new CollectingTestSink("b") };
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        Task<PipelineResult> run = new PipelineRunner(PipelineOptions.Default, stats).RunAsync(
            [new SyntheticSource("file", 1000)],
            [(slow, PipelineStage.Inference), Pass("pass", PipelineStage.Decode)],
            [new SinkBinding(sinks[0], EdgeOptions.Lossless), new SinkBinding(sinks[1], EdgeOptions.Lossless)],
            stop.Token,
            abort.Token);
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Capture is blocked once its own edge is full and it has stopped counting frames in.
        Edge sourceEdge = stats.Edges.Single(e => e.Name == "source[file]");
        long seen = -1;
        for (int i = 0; i < 500 && (sourceEdge.Depth < sourceEdge.Options.Capacity || stats.FramesIn != seen); i++)
        {
            seen = stats.FramesIn;
            await Task.Delay(20);
        }

        Assert.Equal(sourceEdge.Options.Capacity, sourceEdge.Depth);
        stop.Cancel();
        abort.Cancel();

        PipelineResult result = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(result.Cancelled);
        Assert.InRange(result.FramesIn, 11, 999);
        Assert.All(sinks, s => Assert.True(s.Completed));
        Assert.All(sinks, s => Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), s.Frames.Select(f => f.Index)));
        Assert.Equal(0, result.FramesNotReturned);
        Assert.Equal(tensors.Rented, tensors.Returned);
    }

    /// <summary>A sink that fails on frame <c>failAt</c> and then cannot be finalised either.</summary>
    private sealed class BrokenSink(int failAt) : ISink
    {
        public string Name => "broken";

        public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken) =>
            frame.Meta.Index == failAt ? throw new IOException("disk full") : ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken) => throw new IOException("cannot close");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RunAsync_SinkFaultsThenCannotBeFinalised_ReportsTheFirstFault_AndLogsTheSecondAsAWarning()
    {
        var logs = new CapturingLoggerFactory();
        var other = new CollectingTestSink("other");
        var runner = new PipelineRunner(PipelineOptions.Default, new PipelineStats(), logs);

        StageException ex = await Assert.ThrowsAsync<StageException>(() => runner.RunAsync(
            [new SyntheticSource("vid", 200)],
            [Pass("p", PipelineStage.Preprocess)],
            [new SinkBinding(new BrokenSink(5), EdgeOptions.Lossless), new SinkBinding(other, EdgeOptions.Lossless)],
            CancellationToken.None));

        Assert.Equal("sink:broken", ex.Stage);
        Assert.Equal(5, ex.FrameIndex);
        Assert.True(other.Completed);
        (Microsoft.Extensions.Logging.LogLevel level, string category, string message) = Assert.Single(logs.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Equal("Sink 'broken' could not be finalised after a fault: cannot close", message);
        Assert.StartsWith("StreamSeg.Pipeline.", category, StringComparison.Ordinal);
    }
}
