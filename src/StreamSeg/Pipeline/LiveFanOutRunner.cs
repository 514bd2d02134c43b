using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// The fan-out of a <see cref="LivePipeline"/>: each frame out of the last stage goes to every shared sink's edge and
/// to the edges of its own source's sinks (sources come and go while it runs).
/// </summary>
internal sealed class LiveFanOutRunner
{
    private readonly Edge[] _shared;
    private readonly PipelineStats _stats;
    private readonly ConcurrentDictionary<int, LiveSource> _routes = new();
    private readonly EdgeLoop _loop;

    /// <summary>Creates the fan-out from <paramref name="input"/> to the <paramref name="shared"/> edges and each source's own.</summary>
    public LiveFanOutRunner(Edge input, Edge[] shared, PipelineStats stats)
    {
        _shared = shared;
        _stats = stats;
        _loop = new EdgeLoop(input, WriteAsync, Complete);
    }

    /// <summary>Runs until the input completes, then completes the shared sinks' edges.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);

    /// <summary>Routes the frames of <paramref name="source"/> to its sinks from now on.</summary>
    public void AddRoute(LiveSource source) => _routes[source.Index] = source;

    /// <summary>Stops routing frames of source <paramref name="index"/> (none is left in the pipeline).</summary>
    public void RemoveRoute(int index) => _routes.TryRemove(index, out _);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        _routes.TryGetValue(frame.Meta.SourceIndex, out LiveSource? source);
        if (!frame.Meta.IsPlaceholder)
        {
            _stats.CountOut(frame.Meta.CaptureTimestamp);
            source?.CountOut(Stopwatch.GetElapsedTime(frame.Meta.CaptureTimestamp).TotalMilliseconds);
        }

        try
        {
            foreach (Edge output in _shared)
            {
                await output.WriteAsync(frame.AddReference(), cancellationToken).ConfigureAwait(false);
            }

            if (source is not null)
            {
                foreach ((_, Edge edge) in source.Sinks)
                {
                    await edge.WriteAsync(frame.AddReference(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            frame.Dispose();
        }
    }

    private ValueTask Complete(Exception? fault)
    {
        foreach (Edge output in _shared)
        {
            output.Complete(fault is OperationCanceledException ? null : fault);
        }

        return ValueTask.CompletedTask;
    }
}
