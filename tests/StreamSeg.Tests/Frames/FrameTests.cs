using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Frames;

public class FrameTests
{
    [Fact]
    public void Own_SeveralHolders_DisposedOnceByTheLast()
    {
        var resource = new CountingDisposable();
        Frame frame = TestFrames.Solid(4, 4, Scalar.Black);
        frame.Own(resource);
        Frame second = frame.AddReference();

        frame.Dispose();
        Assert.Equal(0, resource.Disposals);

        second.Dispose();
        Assert.Equal(1, resource.Disposals);

        // A double dispose is the caller's bug, but it must not release anything twice.
        second.Dispose();
        Assert.Equal(1, resource.Disposals);
    }

    [Fact]
    public void Own_PooledFrameReused_StartsWithNothingOwned()
    {
        using var pool = new FramePool(4, 4);
        var first = new CountingDisposable();
        Frame frame = pool.Rent();
        frame.Own(first);
        frame.Dispose();

        Frame again = pool.Rent();
        Assert.Same(frame.Image, again.Image); // the same buffer, under a new lease
        var second = new CountingDisposable();
        again.Own(second);
        again.Dispose();

        Assert.Equal(1, first.Disposals);
        Assert.Equal(1, second.Disposals);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public void Own_AfterRelease_ThrowsAndLeavesOwnershipWithTheCaller()
    {
        Frame frame = TestFrames.Solid(4, 4, Scalar.Black);
        frame.Dispose();
        var resource = new CountingDisposable();

        Assert.Throws<ObjectDisposedException>(() => frame.Own(resource));
        Assert.Equal(0, resource.Disposals);
    }

    [Fact]
    public void Dispose_OwnedMasksAndMatte_ReturnEveryBufferOnce()
    {
        var bytes = new TestArrayPool<byte>(42);
        var floats = new TestArrayPool<float>(42);
        Frame frame = TestFrames.Solid(8, 8, Scalar.Black);
        frame.Matte = new StreamSeg.Decode.Matte(new float[64], 8, 8, StreamSeg.Preprocess.LetterboxTransform.Identity(8, 8), floats);
        for (int i = 0; i < 3; i++)
        {
            frame.Own(StreamSeg.Decode.InstanceMask.Rent(i, i, 3, 2, bytes));
        }

        frame.Dispose();

        Assert.Equal((3, 3), (bytes.Rented, bytes.Returned));
        Assert.Equal((1, 1), (floats.Rented, floats.Returned));
    }

    private sealed class CountingDisposable : IDisposable
    {
        public int Disposals { get; private set; }

        public void Dispose() => Disposals++;
    }
}
