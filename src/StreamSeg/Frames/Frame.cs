using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Memory;

namespace StreamSeg.Frames;

/// <summary>
/// A pooled video frame (BGR, 8 bits per channel) with its metadata and the results attached to it by the stages.
/// </summary>
/// <remarks>
/// A frame has exactly one logical owner. Writing a frame into a channel transfers ownership: the writer must not
/// access it after the call. The owner's last act is <see cref="Dispose"/>, which returns the image buffer to its
/// <see cref="FramePool"/>. Fan-out to several sinks uses <see cref="AddReference"/>: each holder disposes once and
/// the buffer returns to the pool when the last holder has done so. Whatever is attached to the frame and owned by it
/// (<see cref="Matte"/>, <see cref="Payload"/>, <see cref="RawOutputs"/> and the resources given to <see cref="Own"/>)
/// is released exactly once, at that moment.
/// </remarks>
public sealed class Frame : IDisposable
{
    private readonly FramePool? _pool;

    // Resources the frame owns (pooled buffers its results point into). The list lives as long as the frame object,
    // which a pool reuses, so it stops growing after the first frames.
    private readonly List<IDisposable> _owned = [];
    private int _references;

    internal Frame(FramePool? pool, Mat image)
    {
        _pool = pool;
        Image = image;
        _references = 1;
    }

    /// <summary>Gets the BGR image. Valid until the frame is disposed.</summary>
    public Mat Image { get; }

    /// <summary>Gets the frame's metadata.</summary>
    public FrameMetadata Meta { get; } = new();

    /// <summary>Gets the width of the image in pixels.</summary>
    public int Width => Image.Width;

    /// <summary>Gets the height of the image in pixels.</summary>
    public int Height => Image.Height;

    /// <summary>Gets or sets the instances found in this frame (set by the decode stage, updated by tracking).</summary>
    public Instances? Instances { get; set; }

    /// <summary>
    /// Gets or sets the whole-frame alpha matte of a matting or person-segmentation model (set by the decode stage);
    /// the frame owns it and disposes it with itself. Assigning a new one does not dispose the old one.
    /// </summary>
    public Matte? Matte { get; set; }

    /// <summary>
    /// Gets or sets the model inputs prepared for this frame by the preprocess stage; the frame owns it and disposes
    /// it with itself (the inference stage releases it as soon as it is done).
    /// </summary>
    public IDisposable? Payload { get; set; }

    /// <summary>Gets or sets the raw model outputs of this frame, owned by the frame until decoded.</summary>
    public IDisposable? RawOutputs { get; set; }

    /// <summary>
    /// Gives the frame ownership of <paramref name="resource"/>, typically a pooled buffer that its
    /// <see cref="Instances"/> point into: it is disposed exactly once, when the last holder releases the frame, and
    /// the caller must not dispose it. Called by the frame's single owner (a stage), before any fan-out.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The frame has already been released; the caller still owns <paramref name="resource"/>.</exception>
    public void Own(IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _references) <= 0, this);
        _owned.Add(resource);
    }

    /// <summary>Creates a frame that owns <paramref name="image"/> and is not pooled (tests and one-off use).</summary>
    public static Frame CreateUnpooled(Mat image) => new(null, image);

    /// <summary>Adds a holder; each holder must call <see cref="Dispose"/> once.</summary>
    public Frame AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            throw new ObjectDisposedException(nameof(Frame));
        }

        return this;
    }

    /// <summary>Releases this holder; the last one returns the buffer to the pool.</summary>
    public void Dispose()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0)
        {
            return;
        }

        if (left < 0)
        {
            // A double dispose is a bug in the caller, but it must not return the buffer twice.
            Interlocked.Increment(ref _references);
            return;
        }

        ReleaseAttachments();
        if (_pool is null)
        {
            Image.Dispose();
        }
        else
        {
            _pool.Return(this);
        }
    }

    /// <summary>Releases the payloads and results so that the frame can go back to its pool.</summary>
    internal void ReleaseAttachments()
    {
        Payload?.Dispose();
        Payload = null;
        RawOutputs?.Dispose();
        RawOutputs = null;
        Matte?.Dispose();
        Matte = null;
        Instances = null;
        try
        {
            foreach (IDisposable resource in _owned)
            {
                resource.Dispose();
            }
        }
        finally
        {
            // Cleared even if one throws, so that nothing is disposed twice when the frame is reused.
            _owned.Clear();
        }
    }

    /// <summary>Makes a rented frame live again with one holder.</summary>
    internal void Revive()
    {
        Meta.Reset();
        Volatile.Write(ref _references, 1);
    }
}
