using StreamSeg.Decode;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Decode;

public class InstanceMaskTests
{
    [Fact]
    public void Rent_DirtyPool_StartsAllZero()
    {
        var pool = new TestArrayPool<byte>(42);
        using InstanceMask mask = InstanceMask.Rent(5, 6, 4, 3, pool);

        Assert.True(mask.IsPooled);
        Assert.Equal(12, mask.Data.Length);
        Assert.Equal(0, mask.Area());
        Assert.False(mask.Contains(5, 6));
        Assert.Equal(1, pool.Rented);
    }

    [Fact]
    public void Rent_ReusedBuffer_StaleContentsCleared()
    {
        var pool = new TestArrayPool<byte>(0);
        InstanceMask first = InstanceMask.Rent(0, 0, 4, 4, pool);
        first.Buffer.AsSpan().Fill(1);
        first.Dispose();

        using InstanceMask second = InstanceMask.Rent(0, 0, 3, 3, pool);
        Assert.Equal(0, second.Area());
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBufferOnce()
    {
        var pool = new TestArrayPool<byte>(42);
        InstanceMask mask = InstanceMask.Rent(0, 0, 2, 2, pool);
        mask.Dispose();
        mask.Dispose();

        Assert.Equal((1, 1), (pool.Rented, pool.Returned));
    }

    [Fact]
    public void Data_AfterDispose_Throws()
    {
        InstanceMask pooled = InstanceMask.Rent(0, 0, 2, 2, new TestArrayPool<byte>(42));
        var plain = new InstanceMask(0, 0, 1, 1, [1]);
        pooled.Dispose();
        plain.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pooled.Data.Length);
        Assert.Throws<ObjectDisposedException>(() => pooled.Contains(0, 0));
        Assert.Throws<ObjectDisposedException>(() => pooled.Area());
        Assert.Throws<ObjectDisposedException>(() => plain.Data.Length);
    }

    [Fact]
    public void Clone_Pooled_OutlivesTheOriginal()
    {
        var pool = new TestArrayPool<byte>(42);
        InstanceMask mask = InstanceMask.Rent(3, 4, 2, 2, pool);
        mask.Buffer[1] = 1;
        InstanceMask copy = mask.Clone();
        mask.Dispose();

        Assert.False(copy.IsPooled);
        Assert.Equal((3, 4, 2, 2), (copy.X, copy.Y, copy.Width, copy.Height));
        Assert.Equal([0, 1, 0, 0], copy.Data.ToArray());
        Assert.True(copy.Contains(4, 4));
    }

    [Fact]
    public void Rent_ZeroArea_RentsNothing()
    {
        var pool = new TestArrayPool<byte>(42);
        InstanceMask mask = InstanceMask.Rent(7, 7, 0, 5, pool);
        Assert.Equal(0, mask.Data.Length);
        mask.Dispose();

        Assert.Equal((0, 0), (pool.Rented, pool.Returned));
    }
}
