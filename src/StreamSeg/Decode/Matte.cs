using System.Buffers;
using StreamSeg.Preprocess;

namespace StreamSeg.Decode;

/// <summary>
/// A single-channel alpha map (0 = background, 1 = foreground) from a matting or person-segmentation model, at the
/// model's resolution, with the transform that maps frame coordinates into it. Not per instance: split it into
/// per-person masks with <see cref="MatteSplitter"/>. Data only.
/// </summary>
/// <remarks>
/// The alpha buffer is rented from the pool given to the constructor (<see cref="ArrayPool{T}.Shared"/> when none):
/// the owner (the frame, once attached) returns it with <see cref="Dispose"/>, once, after which <see cref="Alpha"/>
/// must not be read. A matte lives as long as its frame, about a second, and is released on another thread than the
/// one that made it; adapters therefore rent from a pool of their own (<see cref="CreatePool"/>), which has no
/// per-thread caches to strand the buffers in.
/// </remarks>
public sealed class Matte : IDisposable
{
    // Up to 2^24 values (a 4K UHD frame at full resolution); up to 64 buffers of one size class are kept for reuse,
    // more than the frames in flight in a pipeline.
    private const int MaxPooledLength = 1 << 24;
    private const int MaxPooledPerSize = 64;

    private readonly ArrayPool<float> _pool;
    private float[]? _buffer;

    /// <summary>Creates a matte by copying <paramref name="alpha"/> (<paramref name="width"/>×<paramref name="height"/> values, row-major).</summary>
    /// <param name="alpha">The alpha values, row-major.</param>
    /// <param name="width">The matte width.</param>
    /// <param name="height">The matte height.</param>
    /// <param name="transform">How frame coordinates map into the matte (its input size must be the matte size).</param>
    /// <param name="pool">The pool the alpha buffer is rented from and returned to; <see cref="ArrayPool{T}.Shared"/> when null.</param>
    public Matte(ReadOnlySpan<float> alpha, int width, int height, in LetterboxTransform transform, ArrayPool<float>? pool = null)
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

        _pool = pool ?? ArrayPool<float>.Shared;
        _buffer = _pool.Rent(count);
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

    /// <summary>Creates a pool for matte buffers, for an adapter to rent every frame's matte from.</summary>
    public static ArrayPool<float> CreatePool() => ArrayPool<float>.Create(MaxPooledLength, MaxPooledPerSize);

    /// <summary>Returns the alpha buffer to its pool (once, however often this is called).</summary>
    public void Dispose()
    {
        float[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            _pool.Return(buffer);
        }
    }
}
