using System.Runtime.CompilerServices;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Counts each frame out of the last stage and hands a reference of it to every sink's edge; the frame returns to its
/// pool when the last sink has released it.
/// </summary>
internal sealed class FanOutRunner
{
    private readonly Edge[] _outputs;
    private readonly PipelineStats _stats;
    private readonly EdgeLoop _loop;

    /// <summary>Creates the fan-out from <paramref name="input"/> to <paramref name="outputs"/>.</summary>
    public FanOutRunner(Edge input, Edge[] outputs, PipelineStats stats)
    {
        _outputs = outputs;
        _stats = stats;
        _loop = new EdgeLoop(input, WriteAsync, Complete);
    }

    /// <summary>Runs until the input completes, then completes every sink edge (with the fault, unless it was a cancellation).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        if (!frame.Meta.IsPlaceholder)
        {
            _stats.CountOut(frame.Meta.CaptureTimestamp);
        }

        try
        {
            foreach (Edge output in _outputs)
            {
                // Each sink edge holds its own reference; the frame returns to its pool when the last one is released.
                await output.WriteAsync(frame.AddReference(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            frame.Dispose();
        }
    }

    private ValueTask Complete(Exception? fault)
    {
        // A cancelled run still ends each sink's stream normally, so that the sinks finalise what they have.
        foreach (Edge output in _outputs)
        {
            output.Complete(fault is OperationCanceledException ? null : fault);
        }

        return ValueTask.CompletedTask;
    }
}
