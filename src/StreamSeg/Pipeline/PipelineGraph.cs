using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSeg.Capture;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// The wired graph of one run, built before anything runs: one <see cref="SourceBranch"/> per source merged into the
/// first stage's edge, a <see cref="StageRunner"/> per stage, the fan-out and a <see cref="SinkRunner"/> per sink,
/// each behind its own edge. Every edge is registered with the <see cref="PipelineStats"/> as it is created.
/// </summary>
internal sealed class PipelineGraph
{
    private readonly PipelineOptions _options;
    private readonly List<SourceBranch> _branches = [];
    private readonly List<StageRunner> _stages = [];
    private readonly List<SinkRunner> _sinks = [];
    private readonly List<Edge> _edges = [];
    private readonly ConcurrentQueue<Exception> _sourceFaults = new();
    private readonly Edge _merged;
    private readonly FanOutRunner _fanOut;

    /// <summary>Builds the graph of <paramref name="sources"/> through <paramref name="stages"/> into <paramref name="sinks"/>.</summary>
    public PipelineGraph(
        PipelineOptions options,
        PipelineStats stats,
        IReadOnlyList<IFrameSource> sources,
        IReadOnlyList<(IStage<Frame, Frame> Stage, PipelineStage Id)> stages,
        IReadOnlyList<SinkBinding> sinks,
        ILoggerFactory? loggerFactory)
    {
        _options = options;

        // Sources → merged first edge.
        _merged = Add(stats, new Edge("capture→" + (stages.Count > 0 ? stages[0].Stage.Name : "sinks"), InputEdgeOptions(stages, 0, sources)));
        for (int i = 0; i < sources.Count; i++)
        {
            var branch = new SourceBranch(sources[i], i, _merged, options, stats, _sourceFaults.Enqueue);
            Add(stats, branch.Edge);
            _branches.Add(branch);
        }

        // Stages.
        Edge current = _merged;
        for (int s = 0; s < stages.Count; s++)
        {
            (IStage<Frame, Frame> stage, PipelineStage id) = stages[s];
            Edge next = Add(stats, new Edge($"{stage.Name}→{(s + 1 < stages.Count ? stages[s + 1].Stage.Name : "sinks")}", InputEdgeOptions(stages, s + 1, sources)));
            _stages.Add(new StageRunner(stage, id, current, next, stats));
            current = next;
        }

        // Fan-out to sinks, each behind its own edge.
        ILogger<SinkRunner> sinkLogger = loggerFactory?.CreateLogger<SinkRunner>() ?? NullLogger<SinkRunner>.Instance;
        var sinkEdges = new Edge[sinks.Count];
        for (int i = 0; i < sinks.Count; i++)
        {
            sinkEdges[i] = Add(stats, new Edge($"sink[{sinks[i].Sink.Name}]", sinks[i].Edge), feedsSink: true);
            _sinks.Add(new SinkRunner(sinks[i].Sink, sinkEdges[i], stats, options.SinkCompleteTimeout, sinkLogger));
        }

        _fanOut = new FanOutRunner(current, sinkEdges, stats);
    }

    /// <summary>Gets the fault of the first source that failed, or null.</summary>
    public Exception? FirstSourceFault => _sourceFaults.TryPeek(out Exception? fault) ? fault : null;

    /// <summary>
    /// Starts every loop: capture threads stop on <paramref name="stop"/> (end of stream: everything downstream
    /// drains); everything stops on <paramref name="abort"/>.
    /// </summary>
    public List<Task> Start(CancellationToken stop, CancellationToken abort)
    {
        var tasks = new List<Task>();
        var pumps = new List<Task>();
        foreach (SourceBranch branch in _branches)
        {
            tasks.Add(branch.StartCapture(stop, abort));
            pumps.Add(branch.PumpAsync(abort));
        }

        tasks.AddRange(pumps);
        tasks.Add(CompleteWhenAll(pumps, _merged));
        foreach (StageRunner stage in _stages)
        {
            tasks.Add(stage.RunAsync(abort));
        }

        tasks.Add(_fanOut.RunAsync(abort));
        foreach (SinkRunner sink in _sinks)
        {
            tasks.Add(sink.RunAsync(abort));
        }

        return tasks;
    }

    /// <summary>
    /// After every loop has ended: releases the frames still queued, frees the pools, and says how many frame buffers
    /// were created, how many frames never came back, and how many frames each source captured.
    /// </summary>
    public (int BuffersCreated, long NotReturned, long[] PerSource) Release()
    {
        foreach (Edge edge in _edges)
        {
            edge.DrainAndDispose();
        }

        int created = 0;
        long notReturned = 0;
        long[] perSource = new long[_branches.Count];
        for (int i = 0; i < _branches.Count; i++)
        {
            SourceBranch branch = _branches[i];
            created += branch.Pool.Created;
            notReturned += branch.Pool.Rented - branch.Pool.Returned;
            perSource[i] = branch.Captured;
            branch.Dispose();
        }

        return (created, notReturned, perSource);
    }

    private static async Task CompleteWhenAll(List<Task> pumps, Edge merged)
    {
        try
        {
            await Task.WhenAll(pumps).ConfigureAwait(false);
            merged.Complete();
        }
        catch (Exception ex)
        {
            merged.Complete(ex);
        }
    }

    private Edge Add(PipelineStats stats, Edge edge, bool feedsSink = false)
    {
        stats.AddEdge(edge, feedsSink);
        _edges.Add(edge);
        return edge;
    }

    /// <summary>
    /// The options of the edge into stage <paramref name="stage"/> (or into the fan-out when it is past the last stage).
    /// A batching stage's input and output hold at least one batch. When every source is live, the edges up to and including
    /// the inference stage's input drop their oldest frame instead of waiting: a frame then waits for at most the run
    /// in progress, not behind a queue of stale frames, and the drop marks a discontinuity like any other.
    /// </summary>
    private EdgeOptions InputEdgeOptions(IReadOnlyList<(IStage<Frame, Frame> Stage, PipelineStage Id)> stages, int stage, IReadOnlyList<IFrameSource> sources)
    {
        // A batching stage takes a batch from its input and writes a batch to its output: both edges hold one.
        EdgeOptions options = _options.StageEdge;
        int into = stage < stages.Count && stages[stage].Stage is IBatchStage b ? b.MaxBatch : 1;
        int outOf = stage > 0 && stages[stage - 1].Stage is IBatchStage before ? before.MaxBatch : 1;
        int batch = Math.Max(into, outOf);
        if (batch > options.Capacity)
        {
            options = options with { Capacity = batch };
        }

        int inference = -1;
        for (int i = 0; i < stages.Count; i++)
        {
            if (stages[i].Id == PipelineStage.Inference)
            {
                inference = i;
                break;
            }
        }

        bool allLive = true;
        foreach (IFrameSource source in sources)
        {
            allLive &= source.IsLive;
        }

        if (_options.LiveDropsBeforeInference && allLive && stage <= inference)
        {
            // One frame per source may wait at the first edge; a batch at the inference edge.
            int capacity = stage == 0 ? Math.Max(sources.Count, into) : into;
            options = new EdgeOptions(capacity, FrameDropPolicy.DropOldest);
        }

        return options;
    }
}
