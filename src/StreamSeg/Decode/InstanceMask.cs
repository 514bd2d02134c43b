using System.Buffers;

namespace StreamSeg.Decode;

/// <summary>
/// A binary instance mask stored as a crop in frame coordinates: <see cref="Data"/> holds
/// <see cref="Width"/>×<see cref="Height"/> bytes, row-major, 1 inside the instance and 0 outside, for the
/// rectangle whose top-left corner is (<see cref="X"/>, <see cref="Y"/>) in the frame.
/// </summary>
/// <remarks>
/// The pixels are either an array the mask was given or a buffer rented from a pool (<see cref="Rent"/>), as the
/// matte splitter does every frame. <see cref="Dispose"/> releases them (a rented buffer goes back to its pool, once,
/// however often it is called); afterwards <see cref="Data"/>, <see cref="Contains"/> and <see cref="Area"/> throw
/// <see cref="ObjectDisposedException"/>. A pooled mask attached to a frame's results is owned by the frame
/// (<see cref="Frames.Frame.Own"/>) and is valid exactly as long as the frame: copy it (<see cref="Clone"/>) to keep it.
/// </remarks>
public sealed class InstanceMask : IDisposable
{
    private readonly ArrayPool<byte>? _pool;
    private byte[]? _buffer;

    /// <summary>Creates a mask crop; <paramref name="data"/> must hold <paramref name="width"/>×<paramref name="height"/> bytes.</summary>
    public InstanceMask(int x, int y, int width, int height, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (data.Length != width * height)
        {
            throw new ArgumentException($"Mask data has {data.Length} bytes; expected {width}×{height} = {width * height}.", nameof(data));
        }

        X = x;
        Y = y;
        Width = width;
        Height = height;
        _buffer = data;
    }

    private InstanceMask(int x, int y, int width, int height, byte[] buffer, ArrayPool<byte> pool)
    {
        X = x;
        Y = y;
        Width = width;
        Height = height;
        _buffer = buffer;
        _pool = pool;
    }

    /// <summary>Gets the left edge of the crop in the frame.</summary>
    public int X { get; }

    /// <summary>Gets the top edge of the crop in the frame.</summary>
    public int Y { get; }

    /// <summary>Gets the crop width.</summary>
    public int Width { get; }

    /// <summary>Gets the crop height.</summary>
    public int Height { get; }

    /// <summary>Gets whether the pixels were rented from a pool (and go back to it on <see cref="Dispose"/>).</summary>
    public bool IsPooled => _pool is not null;

    /// <summary>Gets the crop's pixels, row-major, 1 inside and 0 outside.</summary>
    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Width * Height);

    /// <summary>Gets the array holding the pixels (a rented one may be longer than <see cref="Width"/>×<see cref="Height"/>), for the code that fills it.</summary>
    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(InstanceMask));

    /// <summary>
    /// Creates an all-zero <paramref name="width"/>×<paramref name="height"/> mask at (<paramref name="x"/>,
    /// <paramref name="y"/>) whose pixels are rented from <paramref name="pool"/>; the caller owns it and returns the
    /// pixels with <see cref="Dispose"/>.
    /// </summary>
    public static InstanceMask Rent(int x, int y, int width, int height, ArrayPool<byte> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        int count = checked(width * height);
        byte[] buffer = count == 0 ? [] : pool.Rent(count);

        // A pooled buffer holds whatever its last user left in it.
        buffer.AsSpan(0, count).Clear();
        return new InstanceMask(x, y, width, height, buffer, pool);
    }

    /// <summary>Gets whether the frame pixel (<paramref name="fx"/>, <paramref name="fy"/>) is inside the instance.</summary>
    public bool Contains(int fx, int fy)
    {
        byte[] buffer = Buffer;
        int x = fx - X;
        int y = fy - Y;
        return (uint)x < (uint)Width && (uint)y < (uint)Height && buffer[(y * Width) + x] != 0;
    }

    /// <summary>Counts the pixels inside the instance.</summary>
    public int Area()
    {
        int n = 0;
        foreach (byte b in Data)
        {
            n += b != 0 ? 1 : 0;
        }

        return n;
    }

    /// <summary>Returns an unpooled copy, valid however long it is kept.</summary>
    public InstanceMask Clone() => new(X, Y, Width, Height, Data.ToArray());

    /// <summary>Releases the pixels: a rented buffer goes back to its pool (once, however often this is called).</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pool is not null && buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }
}
