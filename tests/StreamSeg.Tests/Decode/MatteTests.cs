using System.Buffers;
using StreamSeg.Decode;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Decode;

public class MatteTests
{
    [Fact]
    public void Constructor_GivenPool_RentsThereAndReturnsOnce()
    {
        var pool = new TestArrayPool<float>(42);
        float[] alpha = [0f, 0.25f, 0.5f, 1f, 1f, 0f];
        var matte = new Matte(alpha, 3, 2, LetterboxTransform.Identity(3, 2), pool);

        Assert.Equal(alpha, matte.Alpha.ToArray());
        Assert.Equal(1f, matte.AlphaAtFramePixel(0, 1));
        matte.Dispose();
        matte.Dispose();

        Assert.Equal((1, 1), (pool.Rented, pool.Returned));
        Assert.Throws<ObjectDisposedException>(() => matte.Alpha.Length);
    }

    [Fact]
    public void CreatePool_ReturnedOnAnotherThread_IsReused()
    {
        // A matte is made on the decode thread and released on a sink's; ArrayPool<float>.Shared would keep the
        // buffer in the releasing thread's own cache, and the next frame's matte would allocate a new one.
        ArrayPool<float> pool = Matte.CreatePool();
        float[] buffer = pool.Rent(768 * 576);
        var releaser = new Thread(() => pool.Return(buffer));
        releaser.Start();
        releaser.Join();

        Assert.Same(buffer, pool.Rent(768 * 576));
    }
}
