using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Fakes;

/// <summary>Records (source, index, discontinuity, pixel 0,0 blue) of every frame; optionally slow.</summary>
internal sealed class CollectingTestSink : ISink
{
    private readonly TimeSpan _delay;

    public CollectingTestSink(string name = "collect", TimeSpan delay = default)
    {
        Name = name;
        _delay = delay;
    }

    public string Name { get; }

    public List<(string Source, long Index, bool Discontinuity, byte Marker)> Frames { get; } = [];

    public bool Completed { get; private set; }

    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, cancellationToken);
        }

        lock (Frames)
        {
            Frames.Add((frame.Meta.SourceId, frame.Meta.Index, frame.Meta.Discontinuity, frame.Image.At<OpenCvSharp.Vec3b>(0, 0).Item0));
        }
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Completed = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
