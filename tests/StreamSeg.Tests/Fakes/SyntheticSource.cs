using OpenCvSharp;
using StreamSeg.Capture;

namespace StreamSeg.Tests.Fakes;

/// <summary>A source of generated frames (a moving square on grey, frame index in the blue channel of pixel 0,0).</summary>
internal sealed class SyntheticSource : IFrameSource
{
    private readonly int _count;
    private readonly TimeSpan _interval;
    private readonly int? _failAt;
    private int _next;

    public SyntheticSource(string id, int count, int width = 64, int height = 48, bool live = false, TimeSpan interval = default, int? failAt = null)
    {
        Id = id;
        _count = count;
        Width = width;
        Height = height;
        IsLive = live;
        _interval = interval;
        _failAt = failAt;
    }

    public string Id { get; }

    public SourceKind Kind => IsLive ? SourceKind.Stream : SourceKind.File;

    public bool IsLive { get; }

    public double Fps => 25;

    public long? FrameCount => IsLive ? null : _count;

    public int Width { get; }

    public int Height { get; }

    public int Opened { get; private set; }

    public void Open() => Opened++;

    public bool Read(Mat target, out TimeSpan pts)
    {
        pts = TimeSpan.FromMilliseconds(_next * 40);
        if (_next >= _count)
        {
            return false;
        }

        if (_failAt == _next)
        {
            throw new InvalidOperationException($"synthetic read failure at {_next}");
        }

        if (_interval > TimeSpan.Zero)
        {
            Thread.Sleep(_interval);
        }

        target.Create(Height, Width, MatType.CV_8UC3);
        target.SetTo(new Scalar(90, 90, 90));
        int x = (_next * 3) % Math.Max(1, Width - 10);
        target.Rectangle(new Rect(x, Height / 4, 10, 10), new Scalar(0, 200, 255), -1);
        target.Set(0, 0, new Vec3b((byte)(_next % 256), 0, 0));
        _next++;
        return true;
    }

    public void Dispose()
    {
    }
}
