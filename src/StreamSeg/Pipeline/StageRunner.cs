using System.Diagnostics;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Runs one stage: reads its input edge, calls <see cref="IStage{TIn,TOut}.ProcessAsync"/>, times it, writes the
/// result to the output edge, and passes completion or a fault downstream. The only code that touches the edges
/// of a stage.
/// </summary>
public sealed class StageRunner
{
    private readonly IStage<Frame, Frame> _stage;
    private readonly PipelineStage _id;
    private readonly Edge _input;
    private readonly Edge _output;
    private readonly PipelineStats _stats;

    /// <summary>Creates the runner for <paramref name="stage"/> between two edges.</summary>
    public StageRunner(IStage<Frame, Frame> stage, PipelineStage id, Edge input, Edge output, PipelineStats stats)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stats);
        _stage = stage;
        _id = id;
        _input = input;
        _output = output;
        _stats = stats;
    }

    /// <summary>Runs until the input completes; a fault is wrapped in <see cref="StageException"/> and completes the output with it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Exception? fault = null;
        try
        {
            if (_stage is IBatchStage { MaxBatch: > 1 } batchStage)
            {
                await RunBatchesAsync(batchStage, cancellationToken).ConfigureAwait(false);
                return;
            }

            await foreach (Frame frame in _input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
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
                    // The stage owned the frame but failed or was cancelled: release it here so that its buffer is
                    // not lost (a cancelled run must leave every pool balanced, as the batch path does).
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
        }
        catch (Exception ex)
        {
            fault = ex;
            _output.Complete(fault);
            await PipelineRunner.DrainAsync(_input, cancellationToken).ConfigureAwait(false);
            throw;
        }
        finally
        {
            // Downstream must always learn that no more frames are coming, with the fault if there was one.
            _output.Complete(fault);
        }
    }

    /// <summary>
    /// Waits for a frame, takes it with whatever else is queued now (up to the stage's batch size), processes them in
    /// one call and writes them downstream in order. Each frame's stage time is the batch's time: it is how long
    /// that frame spent in the stage.
    /// </summary>
    private async Task RunBatchesAsync(IBatchStage stage, CancellationToken cancellationToken)
    {
        var batch = new List<Frame>(stage.MaxBatch);
        while (await _input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (batch.Count < stage.MaxBatch && _input.TryRead(out Frame? frame))
            {
                batch.Add(frame);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            long start = Stopwatch.GetTimestamp();
            try
            {
                await stage.ProcessBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Frame first = batch[0];
                var wrapped = new StageException(_stage.Name, first.Meta.SourceId, first.Meta.Index, ex);
                batch.ForEach(f => f.Dispose());
                throw wrapped;
            }
            catch
            {
                batch.ForEach(f => f.Dispose());
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
                    for (int j = i + 1; j < batch.Count; j++)
                    {
                        batch[j].Dispose();
                    }

                    batch.Clear();
                    throw;
                }
            }

            batch.Clear();
        }
    }
}
