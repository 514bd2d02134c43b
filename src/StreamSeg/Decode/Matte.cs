using System.Buffers;
using StreamSeg.Preprocess;

namespace StreamSeg.Decode;

/// <summary>
/// A single-channel alpha map (0 = background, 1 = foreground) from a matting or person-segmentation model, at the
/// model's resolution, with the transform that maps frame coordinates into it. Not per instance: split it into
/// per-person masks with <see cref="MatteSplitter"/>. Data only.
/// </summary>
/// <remarks>
/// The alpha buffer is rented from <see cref="ArrayPool{T}.Shared"/>; the owner (the frame, once attached) returns
/// it with <see cref="Dispose"/>, after which <see cref="Alpha"/> must not be read.
/// </remarks>
public sealed class Matte : IDisposable
{
    private float[]? _buffer;

    /// <summary>Creates a matte by copying <paramref name="alpha"/> (<paramref name="width"/>×<paramref name="height"/> values, row-major).</summary>
    /// <param name="alpha">The alpha values, row-major.</param>
    /// <param name="width">The matte width.</param>
    /// <param name="height">The matte height.</param>
    /// <param name="transform">How frame coordinates map into the matte (its input size must be the matte size).</param>
    public Matte(ReadOnlySpan<float> alpha, int width, int height, in LetterboxTransform transform)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        int count = checked(width * height);
        if (alpha.Length < count)
        {
            throw new ArgumentException($"Matte: got {alpha.Length} values; expected {width}×{height} = {count}.", nameof(alpha));
        }

        if (transform.InputWidth != width || transform.InputHeight != height)
        {
            throw new ArgumentException(
                $"Matte: the transform maps into {transform.InputWidth}×{transform.InputHeight}; expected the matte size {width}×{height}.",
                nameof(transform));
        }

        _buffer = ArrayPool<float>.Shared.Rent(count);
        alpha[..count].CopyTo(_buffer);
        Width = width;
        Height = height;
        Transform = transform;
    }

    /// <summary>Gets the matte width.</summary>
    public int Width { get; }

    /// <summary>Gets the matte height.</summary>
    public int Height { get; }

    /// <summary>Gets how frame coordinates map into the matte (input space = matte pixels).</summary>
    public LetterboxTransform Transform { get; }

    /// <summary>Gets the frame width.</summary>
    public int FrameWidth => Transform.SourceWidth;

    /// <summary>Gets the frame height.</summary>
    public int FrameHeight => Transform.SourceHeight;

    /// <summary>Gets the alpha values, row-major, <see cref="Width"/>×<see cref="Height"/>.</summary>
    public ReadOnlySpan<float> Alpha =>
        (_buffer ?? throw new ObjectDisposedException(nameof(Matte))).AsSpan(0, Width * Height);

    /// <summary>Gets the alpha at the centre of frame pixel (<paramref name="fx"/>, <paramref name="fy"/>), nearest sample.</summary>
    public float AlphaAtFramePixel(int fx, int fy)
    {
        float[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(Matte));
        int mx = Math.Clamp((int)MathF.Floor(Transform.ToInputX(fx + 0.5f)), 0, Width - 1);
        int my = Math.Clamp((int)MathF.Floor(Transform.ToInputY(fy + 0.5f)), 0, Height - 1);
        return buffer[(my * Width) + mx];
    }

    /// <summary>Returns the alpha buffer to its pool.</summary>
    public void Dispose()
    {
        float[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
