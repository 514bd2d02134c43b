namespace StreamSeg.Decode;

/// <summary>
/// A binary instance mask stored as a crop in frame coordinates: <see cref="Data"/> holds
/// <see cref="Width"/>×<see cref="Height"/> bytes, row-major, 1 inside the instance and 0 outside, for the
/// rectangle whose top-left corner is (<see cref="X"/>, <see cref="Y"/>) in the frame.
/// </summary>
public sealed class InstanceMask
{
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
        Data = data;
    }

    /// <summary>Gets the left edge of the crop in the frame.</summary>
    public int X { get; }

    /// <summary>Gets the top edge of the crop in the frame.</summary>
    public int Y { get; }

    /// <summary>Gets the crop width.</summary>
    public int Width { get; }

    /// <summary>Gets the crop height.</summary>
    public int Height { get; }

    /// <summary>Gets the crop's pixels, row-major, 1 inside and 0 outside.</summary>
    public byte[] Data { get; }

    /// <summary>Gets whether the frame pixel (<paramref name="fx"/>, <paramref name="fy"/>) is inside the instance.</summary>
    public bool Contains(int fx, int fy)
    {
        int x = fx - X;
        int y = fy - Y;
        return (uint)x < (uint)Width && (uint)y < (uint)Height && Data[(y * Width) + x] != 0;
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
}
