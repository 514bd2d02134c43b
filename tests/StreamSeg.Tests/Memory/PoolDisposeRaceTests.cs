using StreamSeg.Frames;
using StreamSeg.Memory;

namespace StreamSeg.Tests.Memory;

/// <summary>
/// A pool disposed by its owner while other threads are still returning frames or tensors frees every buffer once
/// and throws nowhere (issue 10, bug 4). The window is a few instructions wide, so the test repeats the race; it
/// cannot prove the absence of the race, only that it never showed here.
/// </summary>
public class PoolDisposeRaceTests
{
    private const int Rounds = 200;
    private const int Threads = 4;
    private const int PerThread = 8;

    /// <summary>Releases <paramref name="items"/> from <see cref="Threads"/> threads while the calling thread runs <paramref name="dispose"/>.</summary>
    private static void Race<T>(IReadOnlyList<T> items, Action<T> release, Action dispose)
    {
        using var gate = new Barrier(Threads + 1);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int first = t * PerThread;
            workers[t] = new Thread(() =>
            {
                gate.SignalAndWait();
                try
                {
                    for (int i = first; i < first + PerThread; i++)
                    {
                        release(items[i]);
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            });
            workers[t].Start();
        }

        gate.SignalAndWait();
        Thread.SpinWait(50);
        dispose();
        foreach (Thread w in workers)
        {
            w.Join();
        }

        Assert.Empty(errors);
    }

    [Fact]
    public void FramePool_DisposedWhileOtherThreadsReturnFrames_EveryImageIsFreedAndNoneIsLeftInThePool()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var pool = new FramePool(4, 4);
            var frames = new Frame[Threads * PerThread];
            for (int i = 0; i < frames.Length; i++)
            {
                frames[i] = pool.Rent();
            }

            Race(frames, f => f.Dispose(), pool.Dispose);

            Assert.Equal(pool.Rented, pool.Returned);
            Assert.Equal(0, pool.IdleCount);
            Assert.All(frames, f => Assert.True(f.Image.IsDisposed, "a frame returned during Dispose kept its native image"));
        }
    }

    [Fact]
    public void TensorPool_DisposedWhileOtherThreadsReturnTensors_NoneIsLeftInThePool()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var pool = new TensorPool([1, 4], TensorElement.Float32);
            var tensors = new PooledTensor[Threads * PerThread];
            for (int i = 0; i < tensors.Length; i++)
            {
                tensors[i] = pool.Rent();
            }

            Race(tensors, t => t.Dispose(), pool.Dispose);

            Assert.Equal(pool.Rented, pool.Returned);
            Assert.Equal(0, pool.IdleCount);
        }
    }

    [Fact]
    public void Pools_DisposedTwiceFromTwoThreads_DoNotThrow()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var frames = new FramePool(4, 4);
            frames.Rent().Dispose();
            var tensors = new TensorPool([1, 4], TensorElement.Float32);
            tensors.Rent().Dispose();

            var a = new Thread(() =>
            {
                frames.Dispose();
                tensors.Dispose();
            });
            a.Start();
            frames.Dispose();
            tensors.Dispose();
            a.Join();

            Assert.Equal(0, frames.IdleCount);
            Assert.Equal(0, tensors.IdleCount);
            Assert.Throws<ObjectDisposedException>(() => frames.Rent());
            Assert.Throws<ObjectDisposedException>(() => tensors.Rent());
        }
    }
}
