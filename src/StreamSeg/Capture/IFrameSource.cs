using OpenCvSharp;

namespace StreamSeg.Capture;

/// <summary>
/// Reads frames from one source. The pipeline's source runner opens it, calls <see cref="Read"/> in a loop on a
/// dedicated thread, and disposes it; the source itself never sees a channel.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>Gets the source's id (credentials redacted), used in metadata and logs.</summary>
    string Id { get; }

    /// <summary>Gets the kind of source.</summary>
    SourceKind Kind { get; }

    /// <summary>Gets whether the source is live (frames keep coming whether or not we keep up).</summary>
    bool IsLive { get; }

    /// <summary>Gets the nominal frame rate (after <see cref="Open"/>; 0 when unknown).</summary>
    double Fps { get; }

    /// <summary>Gets the number of frames when known (files), else null.</summary>
    long? FrameCount { get; }

    /// <summary>Gets the frame width after <see cref="Open"/>.</summary>
    int Width { get; }

    /// <summary>Gets the frame height after <see cref="Open"/>.</summary>
    int Height { get; }

    /// <summary>Opens the source; throws <see cref="SourceException"/> with a clear message when it cannot.</summary>
    void Open();

    /// <summary>Reads the next frame into <paramref name="target"/> (reallocated only if its size differs).</summary>
    /// <param name="target">The pooled image to fill.</param>
    /// <param name="pts">The frame's presentation timestamp.</param>
    /// <returns>False at the end of the source.</returns>
    bool Read(Mat target, out TimeSpan pts);

    /// <summary>Gets what the source says about the frame the last <see cref="Read"/> returned (none for plain sources).</summary>
    FrameFlags LastFrameFlags => FrameFlags.None;
}
