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
/// <para>Each <see cref="FramePool.Rent"/> returns a new <see cref="Frame"/> object (a lease) over a pooled
/// <see cref="FrameBuffer"/>. A lease's count only goes down to zero once and never comes back up, so a holder that
/// releases too late (after the pool has rented the buffer again) or too often cannot return the buffer's current
/// renter: such an extra release is a no-op, counted in <see cref="FramePool.ExtraReleases"/>. It is not an exception
/// because <see cref="IDisposable.Dispose"/> must be safe to call twice and often runs in <c>finally</c> blocks where
/// a throw would hide the original fault; the counter makes it visible to tests and diagnostics instead. Only the
/// buffer-reading members (<see cref="Image"/>, <see cref="Meta"/>) of a released lease are not guarded: they read
/// the buffer's current contents.</para>
/// </remarks>
public sealed class Frame : IDisposable
{
    private readonly FramePool? _pool;
    private readonly FrameBuffer _buffer;
    private int _references;

    internal Frame(FramePool? pool, FrameBuffer buffer)
    {
        _pool = pool;
        _buffer = buffer;
        _references = 1;
    }

    /// <summary>Gets the BGR image. Valid until the frame is disposed.</summary>
    public Mat Image => _buffer.Image;

    /// <summary>Gets the frame's metadata.</summary>
    public FrameMetadata Meta => _buffer.Meta;

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
        _buffer.Owned.Add(resource);
    }

    /// <summary>Creates a frame that owns <paramref name="image"/> and is not pooled (tests and one-off use).</summary>
    public static Frame CreateUnpooled(Mat image) => new(null, new FrameBuffer(image));

    /// <summary>Adds a holder; each holder must call <see cref="Dispose"/> once.</summary>
    /// <exception cref="ObjectDisposedException">The last holder has already released the frame; nothing changes.</exception>
    public Frame AddReference()
    {
        // Compare-and-swap so that a released frame is never brought back, not even for an instant: a plain
        // increment would raise the count of a dead lease and leave it raised when this throws.
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            ObjectDisposedException.ThrowIf(seen <= 0, this);
        }
        while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);

        return this;
    }

    /// <summary>
    /// Releases this holder; the last one returns the buffer to the pool. A release beyond the last is a no-op
    /// (counted in <see cref="FramePool.ExtraReleases"/> for a pooled frame).
    /// </summary>
    public void Dispose()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            if (seen <= 0)
            {
                _pool?.CountExtraRelease();
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _references, seen - 1, seen) != seen);

        if (seen > 1)
        {
            return;
        }

        ReleaseAttachments();
        if (_pool is null)
        {
            Image.Dispose();
        }
        else
        {
            _pool.Return(_buffer);
        }
    }

    /// <summary>Releases the payloads and results so that the buffer can go back to its pool.</summary>
    private void ReleaseAttachments()
    {
        Payload?.Dispose();
        Payload = null;
        RawOutputs?.Dispose();
        RawOutputs = null;
        Matte?.Dispose();
        Matte = null;
        Instances = null;
        List<IDisposable> owned = _buffer.Owned;
        try
        {
            foreach (IDisposable resource in owned)
            {
                resource.Dispose();
            }
        }
        finally
        {
            // Cleared even if one throws, so that nothing is disposed twice when the buffer is reused.
            owned.Clear();
        }
    }
}
