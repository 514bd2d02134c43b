using OpenCvSharp;

namespace StreamSeg.Capture;

/// <summary>Ends a source after a number of captured frames (<c>--max-frames</c>); placeholder frames do not count.</summary>
public sealed class LimitedSource : IFrameSource
{
    private readonly IFrameSource _inner;
    private readonly long _limit;
    private long _read;

    /// <summary>Wraps <paramref name="inner"/> (taking ownership) so that it ends after <paramref name="limit"/> frames.</summary>
    public LimitedSource(IFrameSource inner, long limit)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _inner = inner;
        _limit = limit;
    }

    /// <inheritdoc/>
    public string Id => _inner.Id;

    /// <inheritdoc/>
    public SourceKind Kind => _inner.Kind;

    /// <inheritdoc/>
    public bool IsLive => _inner.IsLive;

    /// <inheritdoc/>
    public double Fps => _inner.Fps;

    /// <inheritdoc/>
    public long? FrameCount => _inner.FrameCount is long n ? Math.Min(n, _limit) : _limit;

    /// <inheritdoc/>
    public int Width => _inner.Width;

    /// <inheritdoc/>
    public int Height => _inner.Height;

    /// <inheritdoc/>
    public void Open() => _inner.Open();

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        if (_read >= _limit)
        {
            pts = TimeSpan.Zero;
            return false;
        }

        bool ok = _inner.Read(target, out pts);
        _read += ok && (_inner.LastFrameFlags & FrameFlags.Placeholder) == 0 ? 1 : 0;
        return ok;
    }

    /// <inheritdoc/>
    public FrameFlags LastFrameFlags => _inner.LastFrameFlags;

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();
}
