using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Feeds one sink from its own edge and always finalises it (end of stream, Ctrl+C or a fault elsewhere), within
/// <see cref="PipelineOptions.SinkCompleteTimeout"/>, so that a file being written is always playable.
/// </summary>
internal sealed partial class SinkRunner
{
    private readonly ISink _sink;
    private readonly PipelineStats _stats;
    private readonly TimeSpan _completeTimeout;
    private readonly ILogger _logger;
    private readonly EdgeLoop _loop;

    /// <summary>Creates the loop that feeds <paramref name="sink"/> from <paramref name="input"/>.</summary>
    public SinkRunner(ISink sink, Edge input, PipelineStats stats, TimeSpan completeTimeout, ILogger<SinkRunner> logger)
    {
        _sink = sink;
        _stats = stats;
        _completeTimeout = completeTimeout;
        _logger = logger;
        _loop = new EdgeLoop(input, WriteAsync, CompleteAsync);
    }

    /// <summary>Runs until the input completes; a sink's fault is wrapped in <see cref="StageException"/> (stage <c>sink:NAME</c>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        string source = frame.Meta.SourceId;
        long index = frame.Meta.Index;
        long start = Stopwatch.GetTimestamp();
        try
        {
            await _sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new StageException("sink:" + _sink.Name, source, index, ex);
        }
        finally
        {
            frame.Dispose();
        }

        _stats.RecordStage(PipelineStage.Sink, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private async ValueTask CompleteAsync(Exception? fault)
    {
        using var timeout = new CancellationTokenSource(_completeTimeout);
        try
        {
            await _sink.CompleteAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (fault is not null && ex is not OutOfMemoryException)
        {
            // The original fault is the one to report; this one is its consequence.
            LogNotFinalised(_logger, _sink.Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink '{Sink}' could not be finalised after a fault: {Reason}")]
    private static partial void LogNotFinalised(ILogger logger, string sink, string reason);
}
