using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Fakes;
using StreamSeg.Tracking;

namespace StreamSeg.Tests.Pipeline;

public class LivePipelineTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_source_added_and_removed_while_another_runs_leaves_the_other_whole()
    {
        var stats = new PipelineStats();
        var shared = new CollectingTestSink("shared");
        await using var pipeline = new LivePipeline(PipelineOptions.Default, stats, [(new DelegateStage("identity", f => f), PipelineStage.Decode)], [new SinkBinding(shared, new EdgeOptions(8, FrameDropPolicy.Wait))]);
        pipeline.Start();

        // A: a file of 150 frames read at ~2 ms a frame, so that B comes and goes while A runs.
        var sinkA = new CollectingTestSink("a");
        LiveSource a = pipeline.Add(new SyntheticSource("a", 150, interval: TimeSpan.FromMilliseconds(2)), [new SinkBinding(sinkA, new EdgeOptions(8, FrameDropPolicy.Wait))]);
        var sinkB = new CollectingTestSink("b");
        LiveSource b = pipeline.Add(new SyntheticSource("b", 100_000, live: true, interval: TimeSpan.FromMilliseconds(2)), [new SinkBinding(sinkB, new EdgeOptions(8, FrameDropPolicy.Wait))]);
        await WaitUntilAsync(() => b.FramesOut >= 10);
        Assert.Equal(LiveSourceState.Live, a.State);
        await pipeline.RemoveAsync(b).WaitAsync(s_timeout);

        Assert.Equal(LiveSourceState.Removed, b.State);
        Assert.True(sinkB.Completed);
        Assert.All(sinkB.Frames, f => Assert.Equal("b", f.Source));
        Assert.Equal(b.Branch.Pool.Rented, b.Branch.Pool.Returned);
        Assert.False(a.Finalised.IsCompleted, "A should still be running when B has left");

        await a.Finalised.WaitAsync(s_timeout);
        Assert.Equal(LiveSourceState.Ended, a.State);
        Assert.True(sinkA.Completed);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)i), sinkA.Frames.Select(f => f.Index));
        Assert.All(sinkA.Frames, f => Assert.Equal("a", f.Source));
        Assert.Equal(a.Branch.Pool.Rented, a.Branch.Pool.Returned);
        Assert.Equal(150, a.FramesOut);

        // The shared sink saw both; it is finalised when the pipeline stops.
        Assert.Equal(150, shared.Frames.Count(f => f.Source == "a"));
        Assert.Equal(sinkB.Frames.Count, shared.Frames.Count(f => f.Source == "b"));
        await pipeline.StopAsync().WaitAsync(s_timeout);
        Assert.True(shared.Completed);
    }

    [Fact]
    public async Task A_removed_source_is_forgotten_by_the_tracker_and_its_index_is_not_reused()
    {
        var stats = new PipelineStats();
        var tracking = new TrackingStage(new ByteTrackerOptions());
        await using var pipeline = new LivePipeline(PipelineOptions.Default, stats, [(new DelegateStage("detect", f => { f.Instances = Instances.Empty; return f; }), PipelineStage.Decode), (tracking, PipelineStage.Tracking)], []);
        pipeline.Start();
        LiveSource first = pipeline.Add(new SyntheticSource("cam", 100_000, live: true, interval: TimeSpan.FromMilliseconds(2)), []);
        LiveSource other = pipeline.Add(new SyntheticSource("other", 100_000, live: true, interval: TimeSpan.FromMilliseconds(2)), []);
        await WaitUntilAsync(() => first.FramesOut >= 5 && other.FramesOut >= 5);
        Assert.Equal(2, tracking.SourceCount);

        await pipeline.RemoveAsync(first).WaitAsync(s_timeout);
        Assert.Equal(1, tracking.SourceCount);
        Assert.True(pipeline.Forget(first));

        // The same id again gets a new index: it starts with fresh tracks, not the old ones.
        LiveSource again = pipeline.Add(new SyntheticSource("cam", 100_000, live: true, interval: TimeSpan.FromMilliseconds(2)), []);
        Assert.NotEqual(first.Index, again.Index);
        Assert.NotEqual(other.Index, again.Index);
        await WaitUntilAsync(() => again.FramesOut >= 5);
        Assert.Equal(2, tracking.SourceCount);
        Assert.Equal(LiveSourceState.Live, other.State);

        await pipeline.StopAsync().WaitAsync(s_timeout);
        Assert.Equal(0, tracking.SourceCount);
        Assert.Equal(LiveSourceState.Removed, other.State);
    }

    [Fact]
    public async Task A_failing_source_is_finalised_as_failed_and_the_others_go_on()
    {
        var stats = new PipelineStats();
        await using var pipeline = new LivePipeline(PipelineOptions.Default, stats, [(new DelegateStage("identity", f => f), PipelineStage.Decode)], []);
        pipeline.Start();
        var sinkBad = new CollectingTestSink("bad");
        LiveSource bad = pipeline.Add(new SyntheticSource("bad", 100, failAt: 10), [new SinkBinding(sinkBad, new EdgeOptions(8, FrameDropPolicy.Wait))]);
        var sinkGood = new CollectingTestSink("good");
        LiveSource good = pipeline.Add(new SyntheticSource("good", 40), [new SinkBinding(sinkGood, new EdgeOptions(8, FrameDropPolicy.Wait))]);
        await Task.WhenAll(bad.Finalised, good.Finalised).WaitAsync(s_timeout);

        Assert.Equal(LiveSourceState.Failed, bad.State);
        Assert.Contains("synthetic read failure", bad.Fault?.Message, StringComparison.Ordinal);
        Assert.True(sinkBad.Completed);
        Assert.Equal(10, sinkBad.Frames.Count);
        Assert.Equal(LiveSourceState.Ended, good.State);
        Assert.Equal(40, sinkGood.Frames.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(5);
        }
    }
}
