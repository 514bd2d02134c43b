using System.Diagnostics;
using System.Runtime.CompilerServices;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Runs one stage: reads its input edge, calls <see cref="IStage{TIn,TOut}.ProcessAsync"/> (or
/// <see cref="IBatchStage.ProcessBatchAsync"/> on the frames queued now), times it, writes the result to the output
/// edge, and passes completion or a fault downstream. The only code that touches the edges of a stage.
/// </summary>
public sealed class StageRunner
{
    private readonly IStage<Frame, Frame> _stage;
    private readonly PipelineStage _id;
    private readonly Edge _output;
    private readonly PipelineStats _stats;
    private readonly EdgeLoop _loop;

    /// <summary>Creates the runner for <paramref name="stage"/> between two edges.</summary>
    public StageRunner(IStage<Frame, Frame> stage, PipelineStage id, Edge input, Edge output, PipelineStats stats)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stats);
        _stage = stage;
        _id = id;
        _output = output;
        _stats = stats;
        _loop = stage is IBatchStage { MaxBatch: > 1 } batchStage
            ? new EdgeLoop(input, batchStage.MaxBatch, (frames, ct) => ProcessBatchAsync(batchStage, frames, ct), CompleteOutput)
            : new EdgeLoop(input, ProcessOneAsync, CompleteOutput);
    }

    /// <summary>Runs until the input completes; a fault is wrapped in <see cref="StageException"/> and completes the output with it.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);

    private ValueTask CompleteOutput(Exception? fault)
    {
        // Downstream must always learn that no more frames are coming, with the fault if there was one.
        _output.Complete(fault);
        return ValueTask.CompletedTask;
    }

    // Pooled builder: the body runs once a frame, and its state machine should not be a per-frame allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ProcessOneAsync(Frame frame, CancellationToken cancellationToken)
    {
        string source = frame.Meta.SourceId;
        long index = frame.Meta.Index;
        long start = Stopwatch.GetTimestamp();
        Frame result;
        try
        {
            result = await _stage.ProcessAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The stage owned the frame but failed or was cancelled: release it here so that its buffer is not lost
            // (a cancelled run must leave every pool balanced).
            frame.Dispose();
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new StageException(_stage.Name, source, index, ex);
        }

        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        result.Meta.Timings[(int)_id] = ms;
        _stats.RecordStage(_id, ms);
        await _output.WriteAsync(result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Processes the frames queued now in one call and writes them downstream in order. Each frame's stage time is
    /// the batch's time: it is how long that frame spent in the stage.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ProcessBatchAsync(IBatchStage stage, List<Frame> batch, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await stage.ProcessBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Frame first = batch[0];
            var wrapped = new StageException(_stage.Name, first.Meta.SourceId, first.Meta.Index, ex);
            EdgeLoop.Release(batch);
            throw wrapped;
        }
        catch
        {
            EdgeLoop.Release(batch);
            throw;
        }

        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _stats.RecordBatch(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            Frame result = batch[i];
            result.Meta.Timings[(int)_id] = ms;
            _stats.RecordStage(_id, ms);
            try
            {
                await _output.WriteAsync(result, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // WriteAsync released the frame it could not write; the rest of the batch is still ours.
                EdgeLoop.Release(batch, i + 1);
                throw;
            }
        }
    }
}
