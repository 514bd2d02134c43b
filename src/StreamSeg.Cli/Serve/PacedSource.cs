using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Capture;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// A looping file read as a camera delivers it (a stream's <c>"loop": true</c>): each read waits until the frame is due
/// at the file's frame rate, and the source is live (the pipeline drops its oldest frame when behind, never waits).
/// </summary>
/// <remarks>The wait is on the source's own capture thread, which may block.</remarks>
internal sealed class PacedSource : IFrameSource
{
    private readonly IFrameSource _inner;
    private long _start;
    private long _index;

    /// <summary>Paces <paramref name="inner"/> (opened with looping on); takes ownership of it.</summary>
    public PacedSource(IFrameSource inner)
    {
        _inner = inner;
    }

    /// <inheritdoc/>
    public string Id => _inner.Id;

    /// <inheritdoc/>
    public SourceKind Kind => _inner.Kind;

    /// <inheritdoc/>
    public bool IsLive => true;

    /// <inheritdoc/>
    public double Fps => _inner.Fps;

    /// <inheritdoc/>
    public long? FrameCount => null;

    /// <inheritdoc/>
    public int Width => _inner.Width;

    /// <inheritdoc/>
    public int Height => _inner.Height;

    /// <inheritdoc/>
    public FrameFlags LastFrameFlags => _inner.LastFrameFlags;

    /// <inheritdoc/>
    public void Open() => _inner.Open();

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        if (_index == 0)
        {
            _start = Stopwatch.GetTimestamp();
        }

        double fps = _inner.Fps > 0 ? _inner.Fps : 25;
        TimeSpan due = TimeSpan.FromSeconds(_index / fps) - Stopwatch.GetElapsedTime(_start);
        if (due > TimeSpan.Zero)
        {
            Thread.Sleep(due);
        }

        _index++;
        bool ok = _inner.Read(target, out _);

        // The file's own timestamps start again at each loop: a camera's keep growing.
        pts = TimeSpan.FromSeconds((_index - 1) / fps);
        return ok;
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();
}
