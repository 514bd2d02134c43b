using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Fakes;

namespace StreamSeg.Tests.Pipeline;

/// <summary>How the stage runner feeds a batching stage, and how the runner sizes and drops the edges in front of it.</summary>
public class BatchStageRunnerTests
{
    /// <summary>Records the frame indices of each call; can fail on a given call, take a fixed time, or hold its first call until released.</summary>
    private sealed class RecordingBatchStage(int maxBatch, int failOnCall = -1, int callMs = 0, Task? firstCallGate = null) : IBatchStage
    {
        public List<long[]> Calls { get; } = [];

        public string Name => "batch";

        public int MaxBatch => maxBatch;

        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask ProcessBatchAsync(IReadOnlyList<Frame> frames, CancellationToken cancellationToken)
        {
            Calls.Add([.. frames.Select(f => f.Meta.Index)]);
            if (Calls.Count - 1 == failOnCall)
            {
                throw new InvalidOperationException("model failed");
            }

            if (Calls.Count == 1 && firstCallGate is not null)
            {
                FirstCallStarted.TrySetResult();
                await firstCallGate.WaitAsync(cancellationToken);
            }

            if (callMs > 0)
            {
                // Not Task.Delay: its timer runs on a coarse clock and can end a few milliseconds early.
                Thread.Sleep(callMs);
            }
        }

        public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken) => throw new NotSupportedException("the runner must batch");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<Edge> Filled(FramePool pool, int count)
    {
        var edge = new Edge("in", new EdgeOptions(count, FrameDropPolicy.Wait));
        for (int i = 0; i < count; i++)
        {
            Frame f = pool.Rent();
            f.Meta.Index = i;
            await edge.WriteAsync(f, CancellationToken.None);
        }

        edge.Complete();
        return edge;
    }

    [Fact]
    public async Task RunAsync_BatchStage_TakesWhatIsQueuedUpToMaxBatch_InOrder_EachFrameTimedAsItsBatch()
    {
        const int CallMs = 40;
        using var pool = new FramePool(8, 8);
        Edge input = await Filled(pool, 7);
        var output = new Edge("out", new EdgeOptions(16, FrameDropPolicy.Wait));
        var stats = new PipelineStats();
        var stage = new RecordingBatchStage(3, callMs: CallMs);

        await new StageRunner(stage, PipelineStage.Inference, input, output, stats).RunAsync(CancellationToken.None);

        Assert.Equal([[0L, 1, 2], [3L, 4, 5], [6L]], stage.Calls);
        var written = new List<long>();
        var timings = new List<double>();
        await foreach (Frame f in output.ReadAllAsync(CancellationToken.None))
        {
            written.Add(f.Meta.Index);
            timings.Add(f.Meta.Timings[(int)PipelineStage.Inference]);
            f.Dispose();
        }

        // Written downstream in capture order; each frame's stage time is its whole batch's call (at least the call's
        // own delay), the same for every frame of one batch.
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), written);
        Assert.All(timings, ms => Assert.True(ms >= CallMs - 1, $"{ms} ms is less than the batch call took"));
        Assert.Equal(timings[0], timings[1]);
        Assert.Equal(timings[0], timings[2]);
        Assert.Equal(timings[3], timings[4]);
        Assert.Equal(timings[3], timings[5]);
        Assert.Equal(3, stats.Batches);
        Assert.Equal(3, stats.LargestBatch);
        Assert.Equal(7.0 / 3, stats.MeanBatch, 6);
        Assert.Equal(7, stats.Stage(PipelineStage.Inference).Count);
        Assert.True(stats.Stage(PipelineStage.Inference).MeanMs >= CallMs - 1);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task RunAsync_BatchStage_NeverWaitsForABatchToFill_FramesArrivingDuringACallFormTheNext()
    {
        using var pool = new FramePool(8, 8);
        var input = new Edge("in", new EdgeOptions(8, FrameDropPolicy.Wait));
        var output = new Edge("out", new EdgeOptions(16, FrameDropPolicy.Wait));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stage = new RecordingBatchStage(3, firstCallGate: release.Task);
        Task run = new StageRunner(stage, PipelineStage.Inference, input, output, new PipelineStats()).RunAsync(CancellationToken.None);

        async Task Write(long index)
        {
            Frame f = pool.Rent();
            f.Meta.Index = index;
            await input.WriteAsync(f, CancellationToken.None);
        }

        // Frame 0 alone is queued: the stage gets a batch of one at once rather than waiting for three.
        await Write(0);
        await stage.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Four frames arrive while that call runs: the next calls take three (the most) and then the one left.
        for (long i = 1; i <= 4; i++)
        {
            await Write(i);
        }

        release.SetResult();
        input.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([[0L], [1L, 2, 3], [4L]], stage.Calls);
        output.DrainAndDispose();
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task RunAsync_BatchStageFails_NamesTheBatchsFirstFrame_AndReleasesEveryFrame()
    {
        using var pool = new FramePool(8, 8);
        Edge input = await Filled(pool, 8);
        var output = new Edge("out", new EdgeOptions(16, FrameDropPolicy.Wait));
        var stage = new RecordingBatchStage(4, failOnCall: 1);

        var ex = await Assert.ThrowsAsync<StageException>(() => new StageRunner(stage, PipelineStage.Inference, input, output, new PipelineStats()).RunAsync(CancellationToken.None));
        Assert.Contains("frame 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("model failed", ex.Message, StringComparison.Ordinal);

        // The first batch went downstream; the failed batch's frames went back to the pool.
        var written = new List<long>();
        await Assert.ThrowsAsync<StageException>(async () =>
        {
            await foreach (Frame f in output.ReadAllAsync(CancellationToken.None))
            {
                written.Add(f.Meta.Index);
                f.Dispose();
            }
        });
        Assert.Equal([0L, 1, 2, 3], written);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task RunAsync_AllLiveSources_EdgesUpToInferenceDropOldest_BatchEdgeHoldsABatch()
    {
        var stats = new PipelineStats();
        var sink = new CollectingTestSink();
        var stage = new RecordingBatchStage(4);
        await new PipelineRunner(PipelineOptions.Default, stats).RunAsync(
            [new SyntheticSource("a", 20, live: true), new SyntheticSource("b", 20, live: true)],
            [(new DelegateStage("pre", f => f), PipelineStage.Preprocess), (stage, PipelineStage.Inference), (new DelegateStage("post", f => f), PipelineStage.Decode)],
            [new SinkBinding(sink, EdgeOptions.Lossless)],
            CancellationToken.None);

        EdgeOptions Of(string name) => stats.Edges.Single(e => e.Name == name).Options;
        Assert.Equal(new EdgeOptions(2, FrameDropPolicy.DropOldest), Of("capture→pre")); // a frame per source
        Assert.Equal(new EdgeOptions(4, FrameDropPolicy.DropOldest), Of("pre→batch"));
        Assert.Equal(new EdgeOptions(4, FrameDropPolicy.Wait), Of("batch→post")); // a whole batch fits downstream
        Assert.Equal(stats.FramesIn, stats.FramesOut + stats.DroppedFrames);
    }

    [Fact]
    public async Task RunAsync_AFileSource_NothingDrops_BatchEdgeStillHoldsABatch()
    {
        var stats = new PipelineStats();
        var sink = new CollectingTestSink();
        PipelineResult result = await new PipelineRunner(PipelineOptions.Default, stats).RunAsync(
            [new SyntheticSource("cam", 20, live: true), new SyntheticSource("file", 30)],
            [(new DelegateStage("pre", f => f), PipelineStage.Preprocess), (new RecordingBatchStage(4), PipelineStage.Inference)],
            [new SinkBinding(sink, EdgeOptions.Lossless)],
            CancellationToken.None);

        Assert.Equal(PipelineOptions.Default.StageEdge, stats.Edges.Single(e => e.Name == "capture→pre").Options);
        Assert.Equal(new EdgeOptions(4, FrameDropPolicy.Wait), stats.Edges.Single(e => e.Name == "pre→batch").Options);
        Assert.Equal(30, sink.Frames.Count(f => f.Source == "file"));
        Assert.Equal(50, result.FramesIn);
    }
}
