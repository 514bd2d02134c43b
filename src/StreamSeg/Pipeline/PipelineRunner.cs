using System.Diagnostics;
using StreamSeg.Capture;
using StreamSeg.Frames;
using System.Threading.Channels;
using StreamSeg.Memory;

namespace StreamSeg.Pipeline;

/// <summary>
/// Owns every channel of a run: capture (one thread per source) → stages → fan-out → one edge and loop per sink.
/// </summary>
/// <remarks>
/// <para>Each source writes into its own edge: <see cref="FrameDropPolicy.Wait"/> for files (nothing is lost, and the
/// run is as fast as its slowest stage) and <see cref="FrameDropPolicy.DropOldest"/> for live sources (latency stays
/// bounded; drops are counted and the next frame is flagged as a discontinuity). The source edges are merged into
/// the first stage's edge, so several sources share the stages and the model sessions.</para>
/// <para>Shutdown is end-of-stream: when every source ends, or the stop token fires (Ctrl+C), the sources stop
/// reading, each stage drains its input and completes its output, and every sink is finalised. The abort token
/// (a second Ctrl+C) cancels the stages at once; sinks are still finalised, within <see cref="PipelineOptions.SinkCompleteTimeout"/>.
/// A stage fault stops the run with a <see cref="StageException"/> naming the stage and frame.</para>
/// </remarks>
public sealed class PipelineRunner
{
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Exception> _sourceFaults = new();

    /// <summary>Creates the runner.</summary>
    public PipelineRunner(PipelineOptions options, PipelineStats stats)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        _options = options;
        _stats = stats;
    }

    /// <summary>
    /// Runs <paramref name="sources"/> (already opened) through <paramref name="stages"/> into <paramref name="sinks"/>
    /// until the sources end or <paramref name="stopToken"/> fires.
    /// </summary>
    public async Task<PipelineResult> RunAsync(
        IReadOnlyList<IFrameSource> sources,
        IReadOnlyList<(IStage<Frame, Frame> Stage, PipelineStage Id)> stages,
        IReadOnlyList<SinkBinding> sinks,
        CancellationToken stopToken,
        CancellationToken abortToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(sinks);
        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one source is needed.", nameof(sources));
        }

        var started = Stopwatch.StartNew();
        var tasks = new List<Task>();
        long[] perSource = new long[sources.Count];

        // A fault anywhere stops the sources; the faulted loop keeps draining its input so that nothing upstream
        // waits forever on an edge nobody reads, and what was processed before the fault still reaches the sinks.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        CancellationToken outerStop = stopToken;
        stopToken = failFast.Token;
        var pools = new List<FramePool>();

        // Sources → merged first edge.
        var merged = new Edge("capture→" + (stages.Count > 0 ? stages[0].Stage.Name : "sinks"), InputEdgeOptions(stages, 0, sources));
        _stats.AddEdge(merged);
        var pumps = new List<Task>();
        var edges = new List<Edge> { merged };
        for (int i = 0; i < sources.Count; i++)
        {
            IFrameSource source = sources[i];
            var edge = new Edge($"source[{source.Id}]", source.IsLive ? EdgeOptions.Live : EdgeOptions.Lossless);
            _stats.AddEdge(edge);
            edges.Add(edge);
            var pool = new FramePool(source.Width, source.Height);
            pools.Add(pool);
            int sourceIndex = i;
            Task capture = StartDedicated(() => perSource[sourceIndex] = Capture(source, sourceIndex, pool, edge, stopToken, abortToken));
            tasks.Add(capture);
            pumps.Add(PumpAsync(edge, merged, abortToken));
        }

        tasks.AddRange(pumps);
        tasks.Add(CompleteWhenAll(pumps, merged));

        // Stages.
        Edge current = merged;
        for (int s = 0; s < stages.Count; s++)
        {
            (IStage<Frame, Frame> stage, PipelineStage id) = stages[s];
            var next = new Edge($"{stage.Name}→{(s + 1 < stages.Count ? stages[s + 1].Stage.Name : "sinks")}", InputEdgeOptions(stages, s + 1, sources));
            _stats.AddEdge(next);
            edges.Add(next);
            var runner = new StageRunner(stage, id, current, next, _stats);
            tasks.Add(runner.RunAsync(abortToken));
            current = next;
        }

        // Fan-out to sinks, each behind its own edge.
        var sinkEdges = new Edge[sinks.Count];
        var sinkTasks = new List<Task>();
        for (int i = 0; i < sinks.Count; i++)
        {
            sinkEdges[i] = new Edge($"sink[{sinks[i].Sink.Name}]", sinks[i].Edge);
            _stats.AddEdge(sinkEdges[i], feedsSink: true);
            edges.Add(sinkEdges[i]);
            sinkTasks.Add(SinkLoopAsync(sinks[i].Sink, sinkEdges[i], abortToken));
        }

        tasks.Add(FanOutAsync(current, sinkEdges, abortToken));
        tasks.AddRange(sinkTasks);

        foreach (Task task in tasks)
        {
            _ = task.ContinueWith(static (t, state) => ((CancellationTokenSource)state!).Cancel(), failFast, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        Exception? fault = null;
        int buffersCreated = 0;
        long notReturned = 0;
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Exists(t => t.IsFaulted))
        {
            fault = FirstFault(tasks);
        }
        catch (OperationCanceledException)
        {
            // Aborted: the sinks have been finalised by their loops.
        }
        finally
        {
            foreach (Edge edge in edges)
            {
                edge.DrainAndDispose();
            }

            foreach (FramePool pool in pools)
            {
                buffersCreated += pool.Created;
                notReturned += pool.Rented - pool.Returned;
                pool.Dispose();
            }
        }

        if (fault is not null)
        {
            throw fault;
        }

        if (_sourceFaults.TryDequeue(out Exception? sourceFault))
        {
            // Every other source ran to its end; the run still fails, naming the source.
            throw sourceFault;
        }

        return new PipelineResult(_stats.FramesIn, _stats.FramesOut, _stats.DroppedFrames, started.Elapsed, outerStop.IsCancellationRequested || abortToken.IsCancellationRequested, buffersCreated, notReturned, _stats.SinkDroppedFrames, perSource);
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

    private static Exception FirstFault(List<Task> tasks)
    {
        // Prefer the original fault (a stage or source exception) over the knock-on faults it caused downstream.
        Exception? first = null;
        foreach (Task t in tasks)
        {
            if (t.Exception?.InnerException is { } ex && ex is not OperationCanceledException)
            {
                if (ex is StageException or SourceException)
                {
                    return ex;
                }

                first ??= ex;
            }
        }

        return first ?? new InvalidOperationException("The pipeline failed.");
    }

    /// <summary>Releases every frame still coming on <paramref name="edge"/> after its reader failed, until the writer completes.</summary>
    internal static async Task DrainAsync(Edge edge, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Frame frame in edge.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                frame.Dispose();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or StageException or SourceException or ChannelClosedException)
        {
            // Upstream ended by cancellation or its own fault: nothing more will come.
        }
    }

    private static Task StartDedicated(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Reads <paramref name="source"/> until it ends or the run stops; returns how many real frames it captured.</summary>
    private long Capture(IFrameSource source, int sourceIndex, FramePool pool, Edge edge, CancellationToken stop, CancellationToken abort)
    {
        Exception fault;
        long index = 0;
        long captured = 0;
        long paceStart = Stopwatch.GetTimestamp();
        double fps = source.Fps > 0 ? source.Fps : 25;
        try
        {
            while (!stop.IsCancellationRequested && !abort.IsCancellationRequested)
            {
                if (_options.Pace && source.Kind is SourceKind.File or SourceKind.ImageFolder)
                {
                    TimeSpan due = TimeSpan.FromSeconds(index / fps) - Stopwatch.GetElapsedTime(paceStart);
                    if (due > TimeSpan.Zero)
                    {
                        Thread.Sleep(due);
                    }
                }

                Frame frame = pool.Rent();
                long t0 = Stopwatch.GetTimestamp();
                bool ok;
                TimeSpan pts;
                try
                {
                    ok = source.Read(frame.Image, out pts);
                }
                catch
                {
                    frame.Dispose();
                    throw;
                }

                if (!ok)
                {
                    frame.Dispose();
                    break;
                }

                long now = Stopwatch.GetTimestamp();
                FrameFlags flags = source.LastFrameFlags;
                FrameMetadata meta = frame.Meta;
                meta.IsPlaceholder = (flags & FrameFlags.Placeholder) != 0;
                meta.Discontinuity = (flags & FrameFlags.AfterGap) != 0;
                meta.SourceId = source.Id;
                meta.SourceIndex = sourceIndex;
                meta.Index = index++;
                meta.Pts = pts;
                meta.CaptureTime = DateTimeOffset.UtcNow;
                meta.CaptureTimestamp = now;
                double ms = Stopwatch.GetElapsedTime(t0, now).TotalMilliseconds;
                meta.Timings[(int)PipelineStage.Capture] = ms;
                if (!meta.IsPlaceholder)
                {
                    _stats.RecordStage(PipelineStage.Capture, ms);
                    _stats.CountIn();
                    captured++;
                }

                // A dedicated thread may block: under Wait this is the back-pressure that keeps files lossless.
                edge.WriteAsync(frame, abort).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // A second Ctrl+C while this thread was blocked writing into a full edge: the run is cancelled, not
            // failed. (Left to escape, the exception would fault this task, which was not started with the token.)
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Contained: this source ends, the others and the frames already captured carry on; the run reports it
            // at the end.
            fault = ex is SourceException ? ex : new SourceException($"Source '{source.Id}' failed at frame {index}: {ex.Message}", ex);
            _sourceFaults.Enqueue(fault);
        }
        finally
        {
            edge.Complete();
        }

        return captured;
    }

    private static async Task PumpAsync(Edge from, Edge to, CancellationToken cancellationToken)
    {
        await foreach (Frame frame in from.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await to.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
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

    private async Task FanOutAsync(Edge input, Edge[] outputs, CancellationToken cancellationToken)
    {
        Exception? fault = null;
        try
        {
            await foreach (Frame frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!frame.Meta.IsPlaceholder)
                {
                    _stats.CountOut(frame.Meta.CaptureTimestamp);
                }
                try
                {
                    foreach (Edge output in outputs)
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
        }
        catch (Exception ex)
        {
            fault = ex;
            throw;
        }
        finally
        {
            foreach (Edge output in outputs)
            {
                output.Complete(fault is OperationCanceledException ? null : fault);
            }
        }
    }

    private async Task SinkLoopAsync(ISink sink, Edge input, CancellationToken cancellationToken)
    {
        Exception? fault = null;
        try
        {
            await foreach (Frame frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                string source = frame.Meta.SourceId;
                long index = frame.Meta.Index;
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new StageException("sink:" + sink.Name, source, index, ex);
                }
                finally
                {
                    frame.Dispose();
                }

                _stats.RecordStage(PipelineStage.Sink, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        catch (Exception ex)
        {
            fault = ex;
            await DrainAsync(input, cancellationToken).ConfigureAwait(false);
            throw;
        }
        finally
        {
            // Finalise whatever happened (end of stream, Ctrl+C, a fault elsewhere), so a file being written is always playable.
            using var timeout = new CancellationTokenSource(_options.SinkCompleteTimeout);
            try
            {
                await sink.CompleteAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (fault is not null && ex is not OutOfMemoryException)
            {
                // The original fault is the one to report; this one is its consequence.
                Trace.TraceWarning($"Sink '{sink.Name}' could not be finalised after a fault: {ex.Message}");
            }
        }
    }
}
