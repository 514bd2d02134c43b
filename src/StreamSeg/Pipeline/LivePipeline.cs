using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSeg.Capture;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// A pipeline that runs until stopped while sources join and leave it: the stages (and their model sessions) and the
/// shared sinks stay, each source brings its own branch (capture thread, edge, pool) and its own sinks.
/// </summary>
/// <remarks>
/// <para>Removing a source (or its end) stops its capture, waits until none of its frames is left anywhere in the
/// pipeline (its pool has every frame back), then finalises its own sinks and tells every
/// <see cref="ISourceStateOwner"/> stage to forget it. The other sources are not paused: their frames keep flowing
/// through the same edges, so a file source loses no frame. Source indices are never reused, so a new source never
/// inherits the tracks or recurrent state of one that left.</para>
/// <para>The stages' edges wait (they never drop): a live source's own edge drops its oldest frame when the
/// pipeline is behind, a file's waits.</para>
/// </remarks>
public sealed partial class LivePipeline : IAsyncDisposable
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(30);
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly IReadOnlyList<(IStage<Frame, Frame> Stage, PipelineStage Id)> _stages;
    private readonly ILogger<SinkRunner> _sinkLogger;
    private readonly ILogger<LivePipeline> _logger;
    private readonly Edge _merged;
    private readonly List<StageRunner> _runners = [];
    private readonly List<SinkRunner> _sharedSinks = [];
    private readonly List<Edge> _edges = [];
    private readonly LiveFanOutRunner _fanOut;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _lock = new();
    private readonly List<LiveSource> _sources = [];
    private List<Task>? _tasks;
    private int _nextIndex;
    private bool _stopping;

    /// <summary>Builds the pipeline of <paramref name="stages"/> into the <paramref name="sharedSinks"/> (which see every source's frames).</summary>
    /// <param name="options">How the stages are connected.</param>
    /// <param name="stats">The counters the pipeline records into.</param>
    /// <param name="stages">The stages, in order; they are not disposed here.</param>
    /// <param name="sharedSinks">Sinks that see every frame (web view, MQTT); finalised by <see cref="StopAsync"/>.</param>
    /// <param name="loggerFactory">Creates the loggers; none when null.</param>
    public LivePipeline(
        PipelineOptions options,
        PipelineStats stats,
        IReadOnlyList<(IStage<Frame, Frame> Stage, PipelineStage Id)> stages,
        IReadOnlyList<SinkBinding> sharedSinks,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(sharedSinks);
        _options = options;
        _stats = stats;
        _stages = stages;
        _sinkLogger = loggerFactory?.CreateLogger<SinkRunner>() ?? NullLogger<SinkRunner>.Instance;
        _logger = loggerFactory?.CreateLogger<LivePipeline>() ?? NullLogger<LivePipeline>.Instance;
        _merged = AddEdge(new Edge("capture→" + (stages.Count > 0 ? stages[0].Stage.Name : "sinks"), StageEdge(0)));
        Edge current = _merged;
        for (int s = 0; s < stages.Count; s++)
        {
            (IStage<Frame, Frame> stage, PipelineStage id) = stages[s];
            Edge next = AddEdge(new Edge($"{stage.Name}→{(s + 1 < stages.Count ? stages[s + 1].Stage.Name : "sinks")}", StageEdge(s + 1)));
            _runners.Add(new StageRunner(stage, id, current, next, stats));
            current = next;
        }

        var sharedEdges = new Edge[sharedSinks.Count];
        for (int i = 0; i < sharedSinks.Count; i++)
        {
            sharedEdges[i] = AddEdge(new Edge($"sink[{sharedSinks[i].Sink.Name}]", sharedSinks[i].Edge), feedsSink: true);
            _sharedSinks.Add(new SinkRunner(sharedSinks[i].Sink, sharedEdges[i], stats, options.SinkCompleteTimeout, _sinkLogger));
        }

        _fanOut = new LiveFanOutRunner(current, sharedEdges, stats);
    }

    /// <summary>Gets the sources in the pipeline now (live or leaving).</summary>
    public IReadOnlyList<LiveSource> Sources
    {
        get
        {
            lock (_lock)
            {
                return [.. _sources];
            }
        }
    }

    /// <summary>Gets a task that faults when a stage or a shared sink fails (the pipeline is then stopping); null before <see cref="Start"/>.</summary>
    public Task? Completion { get; private set; }

    /// <summary>Starts the stages, the fan-out and the shared sinks; sources are added with <see cref="Add(IFrameSource, IReadOnlyList{SinkBinding})"/>.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_tasks is not null)
            {
                throw new InvalidOperationException("The pipeline is already started.");
            }

            _tasks = [];
            foreach (StageRunner runner in _runners)
            {
                _tasks.Add(runner.RunAsync(_abort.Token));
            }

            _tasks.Add(_fanOut.RunAsync(_abort.Token));
            foreach (SinkRunner sink in _sharedSinks)
            {
                _tasks.Add(sink.RunAsync(_abort.Token));
            }

            Completion = Task.WhenAll(_tasks);
        }
    }

    /// <summary>
    /// Adds <paramref name="source"/> (opened; the pipeline owns it from now on and disposes it when it leaves) with its
    /// own <paramref name="sinks"/> (which see only its frames and are finalised and disposed when it leaves).
    /// </summary>
    public LiveSource Add(IFrameSource source, IReadOnlyList<SinkBinding> sinks) => Add(source, sinks, ReserveIndex());

    /// <summary>Reserves the index of a source about to be added (a reconnecting source names it in its health events).</summary>
    public int ReserveIndex() => Interlocked.Increment(ref _nextIndex) - 1;

    /// <summary>As <see cref="Add(IFrameSource, IReadOnlyList{SinkBinding})"/>, with an index from <see cref="ReserveIndex"/>.</summary>
    public LiveSource Add(IFrameSource source, IReadOnlyList<SinkBinding> sinks, int index)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sinks);
        lock (_lock)
        {
            if (_tasks is null || _stopping)
            {
                throw new InvalidOperationException("The pipeline is not running.");
            }

            LiveSource? live = null;
            var branch = new SourceBranch(source, index, _merged, _options, _stats, ex => live?.SetFault(ex));
            var edges = new List<(SinkBinding, Edge)>(sinks.Count);
            foreach (SinkBinding binding in sinks)
            {
                edges.Add((binding, new Edge($"sink[{binding.Sink.Name}]", binding.Edge)));
            }

            live = new LiveSource(source, index, branch, edges);
            _fanOut.AddRoute(live);
            _sources.Add(live);
            live.Lifetime = RunSourceAsync(live);
            return live;
        }
    }

    /// <summary>Removes <paramref name="source"/>: stops its capture, lets its frames drain, finalises its sinks.</summary>
    public async Task RemoveAsync(LiveSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_lock)
        {
            // A source of another pipeline is never finalised here: refuse it rather than wait for it forever.
            if (!_sources.Contains(source) && !source.Finalised.IsCompleted)
            {
                throw new ArgumentException($"Source '{source.Source.Id}' was not added to this pipeline.", nameof(source));
            }
        }

        if (source.State == LiveSourceState.Live)
        {
            source.SetState(LiveSourceState.Stopping);
        }

        await source.Stop.CancelAsync().ConfigureAwait(false);
        await source.Finalised.ConfigureAwait(false);
    }

    /// <summary>Removes every source (finalising their sinks), then drains the stages and finalises the shared sinks.</summary>
    public async Task StopAsync()
    {
        List<LiveSource> sources;
        lock (_lock)
        {
            _stopping = true;
            sources = [.. _sources];
        }

        await Task.WhenAll(sources.ConvertAll(RemoveAsync)).ConfigureAwait(false);
        _merged.Complete();
        if (Completion is { } completion)
        {
            try
            {
                await completion.ConfigureAwait(false);
            }
            finally
            {
                foreach (Edge edge in _edges)
                {
                    edge.DrainAndDispose();
                }
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping)
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStopFailed(_logger, ex.Message);
            }
        }

        _abort.Dispose();
    }

    /// <summary>Forgets <paramref name="source"/> once it has been finalised (its entry in <see cref="Sources"/>).</summary>
    public bool Forget(LiveSource source)
    {
        lock (_lock)
        {
            return source.Finalised.IsCompleted && _sources.Remove(source);
        }
    }

    private async Task RunSourceAsync(LiveSource live)
    {
        // Off the caller's thread: Add returns at once.
        await Task.Yield();
        var sinkRunners = new List<Task>(live.Sinks.Count);
        foreach ((SinkBinding binding, Edge edge) in live.Sinks)
        {
            sinkRunners.Add(new SinkRunner(binding.Sink, edge, _stats, _options.SinkCompleteTimeout, _sinkLogger).RunAsync(_abort.Token));
        }

        try
        {
            Task capture = live.Branch.StartCapture(live.Stop.Token, _abort.Token);
            Task pump = live.Branch.PumpAsync(_abort.Token);
            try
            {
                await Task.WhenAll(capture, pump).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                live.SetFault(ex);
            }

            // Nothing of this source is left once its pool has every frame back: then its sinks can be finalised.
            await WaitDrainedAsync(live).ConfigureAwait(false);
            _fanOut.RemoveRoute(live.Index);
            foreach ((_, Edge edge) in live.Sinks)
            {
                edge.Complete();
            }

            foreach (Task runner in sinkRunners)
            {
                try
                {
                    await runner.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    live.SetFault(ex);
                }
            }

            foreach ((IStage<Frame, Frame> stage, _) in _stages)
            {
                (stage as ISourceStateOwner)?.ForgetSource(live.Index);
            }

            foreach ((SinkBinding binding, Edge edge) in live.Sinks)
            {
                edge.DrainAndDispose();
                await binding.Sink.DisposeAsync().ConfigureAwait(false);
            }

            live.Branch.Dispose();
            live.Source.Dispose();
        }
        finally
        {
            LiveSourceState end = live.Fault is not null ? LiveSourceState.Failed
                : live.State == LiveSourceState.Stopping ? LiveSourceState.Removed
                : LiveSourceState.Ended;
            live.SetState(end);
            if (live.Fault is { } fault)
            {
                LogSourceFailed(_logger, UrlRedactor.Redact(live.Source.Id), fault.Message);
            }

            live.MarkFinalised();
        }
    }

    private async Task WaitDrainedAsync(LiveSource live)
    {
        var deadline = DateTime.UtcNow + s_drainTimeout;
        while (live.Branch.Pool.Rented != live.Branch.Pool.Returned)
        {
            if (DateTime.UtcNow > deadline || (Completion?.IsCompleted ?? true))
            {
                LogNotDrained(_logger, UrlRedactor.Redact(live.Source.Id), live.Branch.Pool.Rented - live.Branch.Pool.Returned);
                return;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private Edge AddEdge(Edge edge, bool feedsSink = false)
    {
        _stats.AddEdge(edge, feedsSink);
        _edges.Add(edge);
        return edge;
    }

    /// <summary>The edge into stage <paramref name="stage"/>: waits (sources come and go, files must not lose frames) and holds a batch.</summary>
    private EdgeOptions StageEdge(int stage)
    {
        EdgeOptions options = _options.StageEdge;
        int into = stage < _stages.Count && _stages[stage].Stage is IBatchStage b ? b.MaxBatch : 1;
        int outOf = stage > 0 && _stages[stage - 1].Stage is IBatchStage before ? before.MaxBatch : 1;
        int batch = Math.Max(into, outOf);
        return batch > options.Capacity ? options with { Capacity = batch } : options;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "source '{SourceId}' left the pipeline with {Frames} frame(s) not back; its outputs are finalised anyway")]
    private static partial void LogNotDrained(ILogger logger, string sourceId, long frames);

    [LoggerMessage(Level = LogLevel.Warning, Message = "source '{SourceId}' failed: {Reason}")]
    private static partial void LogSourceFailed(ILogger logger, string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the pipeline did not stop cleanly: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string reason);
}
