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
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The stage owned the frame but failed: release it here so that its buffer is not lost.
                    frame.Dispose();
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
}
