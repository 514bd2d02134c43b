using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StreamSeg.Pipeline;

namespace StreamSeg.Cli;

/// <summary>Logs one stats line every interval (<c>--report-every</c>): frames, rate, drops, reconnects, managed heap and RSS — what a soak run watches.</summary>
internal sealed partial class StatsReporter : IAsyncDisposable
{
    private readonly PipelineStats _stats;
    private readonly ILogger<StatsReporter> _logger;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    public StatsReporter(PipelineStats stats, TimeSpan interval, ILogger<StatsReporter> logger)
    {
        _stats = stats;
        _logger = logger;
        _loop = LoopAsync(interval, _cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        _cts.Dispose();
    }

    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private async Task LoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        long lastOut = 0;
        var since = Stopwatch.StartNew();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            long framesOut = _stats.FramesOut;
            double fps = (framesOut - lastOut) / since.Elapsed.TotalSeconds;
            lastOut = framesOut;
            since.Restart();
            if (!_logger.IsEnabled(LogLevel.Information))
            {
                continue;
            }

            using Process self = Process.GetCurrentProcess();
            LogStats(_logger, string.Create(
                CultureInfo.InvariantCulture,
                $"t={_stats.Elapsed.TotalSeconds:0}s frames_in={_stats.FramesIn} frames_out={framesOut} fps={fps:0.0} dropped={_stats.DroppedFrames} sink_dropped={_stats.SinkDroppedFrames} reconnects={_stats.Reconnects} heap_mib={GC.GetTotalMemory(false) / 1048576.0:0.0} rss_mib={self.WorkingSet64 / 1048576.0:0.0} e2e_p95_ms={_stats.EndToEnd.Percentile(95):0}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "stats: {Figures}")]
    private static partial void LogStats(ILogger logger, string figures);
}
