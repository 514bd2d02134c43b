using OpenCvSharp;

namespace StreamSeg.Frames;

/// <summary>
/// The reusable part of a <see cref="Frame"/>: the native image, the metadata and the list of owned resources. A
/// <see cref="Memory.FramePool"/> keeps buffers; each rent wraps one in a new <see cref="Frame"/> (the lease), so a
/// holder of an earlier lease can never release the buffer's current renter.
/// </summary>
internal sealed class FrameBuffer
{
    /// <summary>Creates a buffer over <paramref name="image"/>.</summary>
    public FrameBuffer(Mat image) => Image = image;

    /// <summary>Gets the BGR image.</summary>
    public Mat Image { get; }

    /// <summary>Gets the metadata, reset on each rent.</summary>
    public FrameMetadata Meta { get; } = new();

    /// <summary>
    /// Gets the resources the current lease owns. The list lives as long as the buffer, which the pool reuses, so it
    /// stops growing after the first frames.
    /// </summary>
    public List<IDisposable> Owned { get; } = [];
}
