using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Fakes;

/// <summary>A stage that runs a delegate on each frame (for runner tests).</summary>
internal sealed class DelegateStage : IStage<Frame, Frame>
{
    private readonly Func<Frame, CancellationToken, ValueTask<Frame>> _process;

    public DelegateStage(string name, Func<Frame, Frame> process)
    {
        Name = name;
        _process = (f, _) => ValueTask.FromResult(process(f));
    }

    /// <summary>A stage whose work is asynchronous and sees the cancellation token (to block until cancelled, for example).</summary>
    public DelegateStage(string name, Func<Frame, CancellationToken, ValueTask<Frame>> process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool Disposed { get; private set; }

    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken) => _process(input, cancellationToken);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
