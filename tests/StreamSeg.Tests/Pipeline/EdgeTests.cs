using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Pipeline;

public class EdgeTests
{
    private static Frame Rent(FramePool pool, long index)
    {
        Frame f = pool.Rent();
        f.Meta.Index = index;
        f.Meta.SourceId = "s";
        return f;
    }

    [Fact]
    public async Task Wait_FullEdge_LosesNothingAndKeepsOrder()
    {
        using var pool = new FramePool(8, 8);
        var edge = new Edge("e", new EdgeOptions(2, FrameDropPolicy.Wait));
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await edge.WriteAsync(Rent(pool, i), CancellationToken.None);
            }

            edge.Complete();
        });

        var seen = new List<long>();
        await foreach (Frame f in edge.ReadAllAsync(CancellationToken.None))
        {
            seen.Add(f.Meta.Index);
            Assert.False(f.Meta.Discontinuity);
            f.Dispose();
            await Task.Yield();
        }

        await writer;
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), seen);
        Assert.Equal(0, edge.Dropped);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task DropOldest_FullEdge_CountsDropsReturnsFramesAndFlagsDiscontinuity()
    {
        using var pool = new FramePool(8, 8);
        var edge = new Edge("e", new EdgeOptions(2, FrameDropPolicy.DropOldest));
        for (int i = 0; i < 10; i++)
        {
            await edge.WriteAsync(Rent(pool, i), CancellationToken.None);
        }

        edge.Complete();
        var seen = new List<(long, bool)>();
        await foreach (Frame f in edge.ReadAllAsync(CancellationToken.None))
        {
            seen.Add((f.Meta.Index, f.Meta.Discontinuity));
            f.Dispose();
        }

        Assert.Equal(8, edge.Dropped);
        Assert.Equal([(8L, false), (9L, false)], seen);
        Assert.Equal(pool.Rented, pool.Returned);

        // A gap within what the reader sees is flagged on the first frame after it.
        var edge2 = new Edge("e2", new EdgeOptions(4, FrameDropPolicy.Wait));
        foreach (long i in new long[] { 0, 1, 5, 6 })
        {
            await edge2.WriteAsync(Rent(pool, i), CancellationToken.None);
        }

        edge2.Complete();
        var flags = new List<bool>();
        await foreach (Frame f in edge2.ReadAllAsync(CancellationToken.None))
        {
            flags.Add(f.Meta.Discontinuity);
            f.Dispose();
        }

        Assert.Equal([false, false, true, false], flags);
    }

    [Fact]
    public void Frame_AddReference_ReturnsToPoolOnlyAfterLastHolder()
    {
        using var pool = new FramePool(4, 4);
        Frame f = pool.Rent();
        f.AddReference();
        f.Dispose();
        Assert.Equal(0, pool.Returned);
        f.Dispose();
        Assert.Equal(1, pool.Returned);
        Frame again = pool.Rent();
        Assert.Same(f.Image, again.Image); // the native buffer is reused (each rent is a new lease over it)
        Assert.Equal(1, pool.Created);
        again.Dispose();
    }

    [Fact]
    public void Frame_Unpooled_DisposesImage()
    {
        var mat = new Mat(2, 2, MatType.CV_8UC3);
        var f = Frame.CreateUnpooled(mat);
        f.Dispose();
        Assert.True(mat.IsDisposed);
    }
}
