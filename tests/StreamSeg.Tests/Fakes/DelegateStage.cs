using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Fakes;

/// <summary>A stage that runs a delegate on each frame (for runner tests).</summary>
internal sealed class DelegateStage : IStage<Frame, Frame>
{
    private readonly Func<Frame, Frame> _process;

    public DelegateStage(string name, Func<Frame, Frame> process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool Disposed { get; private set; }

    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken) => ValueTask.FromResult(_process(input));

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
