using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Memory;

namespace StreamSeg.Tests.Memory;

/// <summary>A stale or double release can never hand one buffer to two renters (issue 10, bug 3).</summary>
public class PoolLeaseTests
{
    private static readonly long[] Shape = [1, 3, 4, 4];

    [Fact]
    public void PooledTensor_DisposedTwice_TwoRentersStillGetTwoBuffers()
    {
        using var pool = new TensorPool(Shape, TensorElement.Float32);
        PooledTensor first = pool.Rent();
        first.Dispose();
        first.Dispose();

        PooledTensor a = pool.Rent();
        PooledTensor b = pool.Rent();

        // Before the fix the second Dispose put the tensor in the pool twice, and both renters got the same buffer.
        Assert.NotSame(a.Value, b.Value);
        a.Dispose();
        b.Dispose();
        Assert.Equal(pool.Rented, pool.Returned);
        Assert.Equal(1, pool.ExtraReleases);
        Assert.Equal(2, pool.Created);
    }

    [Fact]
    public void PooledTensor_StaleDisposeAfterTheBufferWasRentedAgain_DoesNotReturnTheLiveTensor()
    {
        using var pool = new TensorPool(Shape, TensorElement.Float32);
        PooledTensor stale = pool.Rent();
        stale.Dispose();
        PooledTensor live = pool.Rent();

        stale.Dispose();
        PooledTensor other = pool.Rent();

        Assert.NotSame(live.Value, other.Value);
        Assert.Equal(1, pool.ExtraReleases);
        live.Dispose();
        other.Dispose();
    }

    [Fact]
    public void PooledTensor_BufferAfterRelease_Throws()
    {
        using var pool = new TensorPool(Shape, TensorElement.Float32);
        PooledTensor tensor = pool.Rent();
        tensor.Dispose();

        // A holder that kept the tensor must not write into the buffer of whoever rents it next.
        Assert.Throws<ObjectDisposedException>(() => tensor.Floats);
        Assert.Throws<ObjectDisposedException>(() => tensor.Value);
    }

    [Fact]
    public void Frame_StaleDisposeAfterThePoolRentedItAgain_DoesNotReturnTheLiveFrame()
    {
        using var pool = new FramePool(4, 4);
        Frame stale = pool.Rent();
        stale.Dispose();
        Frame live = pool.Rent();
        Assert.Same(stale.Image, live.Image); // the buffer is reused…

        stale.Dispose(); // …but the old holder's release is not the new holder's
        Frame other = pool.Rent();

        // Before the fix the stale Dispose returned the live frame: the next renter got the same image.
        Assert.NotSame(live.Image, other.Image);
        Assert.Equal(2, pool.Created);
        live.Dispose();
        other.Dispose();
        Assert.Equal(pool.Rented, pool.Returned);
        Assert.Equal(1, pool.ExtraReleases);
    }

    [Fact]
    public void Frame_AddReferenceOnAReleasedFrame_ThrowsAndLeavesNoReferenceBehind()
    {
        using var pool = new FramePool(4, 4);
        Frame frame = pool.Rent();
        frame.Dispose();

        Assert.Throws<ObjectDisposedException>(() => frame.AddReference());

        // Before the fix the failed AddReference left the count at 1, so one more (stale) Dispose returned the frame
        // a second time and two renters shared it.
        frame.Dispose();
        Frame a = pool.Rent();
        Frame b = pool.Rent();
        Assert.NotSame(a.Image, b.Image);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void Frame_AddReferenceRacingTheLastDispose_NeverRevivesAReleasedFrame()
    {
        using var pool = new FramePool(4, 4);
        for (int i = 0; i < 2000; i++)
        {
            Frame frame = pool.Rent();
            var gate = new Barrier(2);
            Frame? extra = null;
            var adder = new Thread(() =>
            {
                gate.SignalAndWait();
                try
                {
                    extra = frame.AddReference();
                }
                catch (ObjectDisposedException)
                {
                }
            });
            adder.Start();
            gate.SignalAndWait();
            frame.Dispose();
            adder.Join();
            extra?.Dispose();
        }

        // Every rent came back exactly once, whichever side won each race.
        Assert.Equal(pool.Rented, pool.Returned);
        Frame x = pool.Rent();
        Frame y = pool.Rent();
        Assert.NotSame(x.Image, y.Image);
        x.Dispose();
        y.Dispose();
    }
}
