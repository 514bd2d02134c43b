using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Fakes;

namespace StreamSeg.Tests.Pipeline;

/// <summary>The single-frame stage path releases every frame and the tensors it carries, whether the stage ends, fails or is cancelled.</summary>
public class StageRunnerTests
{
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

    /// <summary>A stage that attaches a pooled tensor to each frame (as preprocess does), then blocks until cancelled on frame <paramref name="blockAt"/>.</summary>
    private static DelegateStage Blocking(TensorPools tensors, long blockAt, TaskCompletionSource blocked) => new("block", async (f, ct) =>
    {
        lock (tensors)
        {
            f.Payload = tensors.Rent([1, 4], TensorElement.Float32);
        }

        if (f.Meta.Index == blockAt)
        {
            blocked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }

        return f;
    });

    private static async Task<List<long>> ReadAll(Edge output)
    {
        var written = new List<long>();
        try
        {
            await foreach (Frame f in output.ReadAllAsync(CancellationToken.None))
            {
                written.Add(f.Meta.Index);
                f.Dispose();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or StageException)
        {
        }

        return written;
    }

    [Fact]
    public async Task RunAsync_CancelledWhileTheStageHoldsAFrame_FrameAndItsTensorGoBackToTheirPools()
    {
        using var pool = new FramePool(8, 8);
        using var tensors = new TensorPools();
        Edge input = await Filled(pool, 5);
        var output = new Edge("out", new EdgeOptions(16, FrameDropPolicy.Wait));
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var abort = new CancellationTokenSource();

        Task run = new StageRunner(Blocking(tensors, 2, blocked), PipelineStage.Preprocess, input, output, new PipelineStats()).RunAsync(abort.Token);
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        abort.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal([0L, 1], await ReadAll(output));
        input.DrainAndDispose();

        // Before the fix the frame the stage held when cancelled (index 2) never came back.
        Assert.Equal(5, pool.Rented);
        Assert.Equal(pool.Rented, pool.Returned);
        Assert.Equal(3, tensors.Rented);
        Assert.Equal(tensors.Rented, tensors.Returned);
    }

    [Fact]
    public async Task RunAsync_StageFaults_FrameAndItsTensorGoBackToTheirPools()
    {
        using var pool = new FramePool(8, 8);
        using var tensors = new TensorPools();
        Edge input = await Filled(pool, 5);
        var output = new Edge("out", new EdgeOptions(16, FrameDropPolicy.Wait));
        var stage = new DelegateStage("boom", f =>
        {
            f.Payload = tensors.Rent([1, 4], TensorElement.Float32);
            return f.Meta.Index == 3 ? throw new InvalidOperationException("bad") : f;
        });

        StageException ex = await Assert.ThrowsAsync<StageException>(() => new StageRunner(stage, PipelineStage.Decode, input, output, new PipelineStats()).RunAsync(CancellationToken.None));
        Assert.Equal(3, ex.FrameIndex);

        Assert.Equal([0L, 1, 2], await ReadAll(output));
        Assert.Equal(pool.Rented, pool.Returned);
        Assert.Equal(4, tensors.Rented);
        Assert.Equal(tensors.Rented, tensors.Returned);
    }
}
