using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Frames;

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
/// <para>The graph (edges, pools, loops) is built by <see cref="PipelineGraph"/> before anything runs; this class
/// runs it and turns how its loops ended into a result or an exception.</para>
/// </remarks>
public sealed class PipelineRunner
{
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates the runner.</summary>
    /// <param name="options">How the stages are connected.</param>
    /// <param name="stats">The counters the run records into.</param>
    /// <param name="loggerFactory">Creates the loggers of the loops that log (a sink that cannot be finalised after a fault); none when null.</param>
    public PipelineRunner(PipelineOptions options, PipelineStats stats, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        _options = options;
        _stats = stats;
        _loggerFactory = loggerFactory;
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
        var graph = new PipelineGraph(_options, _stats, sources, stages, sinks, _loggerFactory);

        // A fault anywhere stops the sources; the faulted loop keeps draining its input so that nothing upstream
        // waits forever on an edge nobody reads, and what was processed before the fault still reaches the sinks.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        List<Task> tasks = graph.Start(failFast.Token, abortToken);
        foreach (Task task in tasks)
        {
            _ = task.ContinueWith(static (t, state) => ((CancellationTokenSource)state!).Cancel(), failFast, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        bool cancelled() => stopToken.IsCancellationRequested || abortToken.IsCancellationRequested;
        Exception? fault = null;
        (int BuffersCreated, long NotReturned, long[] PerSource) released;
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Exists(t => t.IsFaulted))
        {
            fault = FirstFault(tasks, cancelled());
        }
        catch (OperationCanceledException)
        {
            // Aborted: the sinks have been finalised by their loops.
        }
        finally
        {
            released = graph.Release();
        }

        if (fault is not null)
        {
            throw fault;
        }

        if (graph.FirstSourceFault is { } sourceFault)
        {
            // Every other source ran to its end; the run still fails, naming the first source that failed.
            throw sourceFault;
        }

        return new PipelineResult(_stats.FramesIn, _stats.FramesOut, _stats.DroppedFrames, started.Elapsed, cancelled(), released.BuffersCreated, released.NotReturned, _stats.SinkDroppedFrames, released.PerSource);
    }

    /// <summary>
    /// The fault to report: the original one (a stage or source exception) over the knock-on faults it caused
    /// downstream. A run whose only faults are cancellations after the user stopped it was cancelled, not failed (null).
    /// </summary>
    private static Exception? FirstFault(List<Task> tasks, bool cancelled)
    {
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

        return first ?? (cancelled ? null : new InvalidOperationException("The pipeline failed."));
    }
}
