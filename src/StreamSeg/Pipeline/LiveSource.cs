using StreamSeg.Capture;

namespace StreamSeg.Pipeline;

/// <summary>
/// One source of a <see cref="LivePipeline"/>: its branch (capture thread, edge, pool), its own sinks behind their own
/// edges, and its counters. Made by <see cref="LivePipeline.Add(IFrameSource, IReadOnlyList{SinkBinding})"/>; it ends when the source ends or is removed.
/// </summary>
public sealed class LiveSource
{
    private readonly TaskCompletionSource _finalised = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _framesOut;
    private long _reconnects;
    private int _state;

    internal LiveSource(IFrameSource source, int index, SourceBranch branch, IReadOnlyList<(SinkBinding Binding, Edge Edge)> sinks)
    {
        Source = source;
        Index = index;
        Branch = branch;
        Sinks = sinks;
    }

    /// <summary>Gets the source.</summary>
    public IFrameSource Source { get; }

    /// <summary>Gets the source's index in the pipeline (<see cref="Frames.FrameMetadata.SourceIndex"/>): unique, never reused.</summary>
    public int Index { get; }

    /// <summary>Gets where the source is in its life.</summary>
    public LiveSourceState State => (LiveSourceState)Volatile.Read(ref _state);

    /// <summary>Gets the first fault of the source or of one of its sinks, or null.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Gets how many real frames the source has captured.</summary>
    public long FramesIn => Branch.Captured;

    /// <summary>Gets how many of the source's frames have come out of the last stage.</summary>
    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Gets how many of the source's frames were dropped on its own edges (capture and sinks).</summary>
    public long Dropped
    {
        get
        {
            long dropped = Branch.Edge.Dropped;
            foreach ((_, Edge edge) in Sinks)
            {
                dropped += edge.Dropped;
            }

            return dropped;
        }
    }

    /// <summary>Gets how many times the source came back after losing its connection (counted by <see cref="CountReconnect"/>).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Gets the end-to-end latency (capture to fan-out) of the source's frames.</summary>
    public LatencyHistogram EndToEnd { get; } = new();

    /// <summary>Gets a task that completes once the source has left the pipeline and its sinks are finalised.</summary>
    public Task Finalised => _finalised.Task;

    internal SourceBranch Branch { get; }

    internal IReadOnlyList<(SinkBinding Binding, Edge Edge)> Sinks { get; }

    internal CancellationTokenSource Stop { get; } = new();

    internal Task? Lifetime { get; set; }

    /// <summary>Counts a reconnection of the source (its reconnecting wrapper reports them).</summary>
    public void CountReconnect() => Interlocked.Increment(ref _reconnects);

    internal void CountOut(double endToEndMs)
    {
        Interlocked.Increment(ref _framesOut);
        EndToEnd.Record(endToEndMs);
    }

    internal void SetState(LiveSourceState state) => Volatile.Write(ref _state, (int)state);

    internal void SetFault(Exception fault)
    {
        Fault ??= fault;
    }

    internal void MarkFinalised() => _finalised.TrySetResult();
}
