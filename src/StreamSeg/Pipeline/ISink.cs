using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Writes annotated frames somewhere (a file, metadata, a window, a stream). A sink does not own the frames it is
/// given: the runner disposes each frame after <see cref="WriteAsync"/> returns, so a sink that keeps data must copy it.
/// </summary>
public interface ISink : IAsyncDisposable
{
    /// <summary>Gets the sink's name, used in logs, metrics and fault messages.</summary>
    string Name { get; }

    /// <summary>Writes one frame.</summary>
    ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken);

    /// <summary>Flushes and finalises the output (for example closes the MP4 so that it plays). Called once, at the end of the run or on Ctrl+C.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
