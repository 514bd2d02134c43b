using System.Globalization;
using StreamSeg.Pipeline;

namespace StreamSeg.Cli;

/// <summary>
/// Shows progress while a run goes: on a terminal a bar redrawn twice a second (frames, percent, fps, ETA, drops);
/// when standard error is redirected, one plain line every 5 seconds.
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private const string ClearSequence = "\r\u001b[2K";

    // 1 while the bar is on screen; the logger's thread takes it (Interlocked) to clear the bar in the same write as its line.
    private static int s_barShown;
    private readonly PipelineStats _stats;
    private readonly long? _total;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly bool _tty = !Console.IsErrorRedirected;

    public ProgressReporter(PipelineStats stats, long? totalFrames)
    {
        _stats = stats;
        _total = totalFrames;
        _loop = LoopAsync(_cts.Token);
    }

    /// <summary>Clears the bar now when it is shown.</summary>
    public static void ClearLine() => Console.Error.Write(TakeClearSequence());

    /// <summary>Gets the sequence that clears the bar when it is shown (and notes it gone), else an empty string.</summary>
    public static string TakeClearSequence() => Interlocked.Exchange(ref s_barShown, 0) == 1 ? ClearSequence : string.Empty;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected: the loop ends by cancellation.
        }

        ClearLine();
        _cts.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        TimeSpan period = _tty ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            string line = Render();
            if (_tty)
            {
                Console.Error.Write(ClearSequence + line);
                Interlocked.Exchange(ref s_barShown, 1);
            }
            else
            {
                Console.Error.WriteLine("streamseg: progress: " + line);
            }
        }
    }

    private string Render()
    {
        long done = _stats.FramesOut;
        double elapsed = _stats.Elapsed.TotalSeconds;
        double fps = elapsed > 0 ? done / elapsed : 0;
        string drops = _stats.DroppedFrames.ToString(CultureInfo.InvariantCulture);
        if (_total is long total && total > 0)
        {
            double fraction = Math.Clamp((double)done / total, 0, 1);
            const int width = 24;
            int filled = (int)(fraction * width);
            string bar = new string('#', filled) + new string('.', width - filled);
            string eta = fps > 0 ? TimeSpan.FromSeconds((total - done) / fps).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
            return string.Create(CultureInfo.InvariantCulture, $"[{bar}] {done}/{total} {fraction * 100:0}% | {fps:0.0} fps | ETA {eta} | drops {drops}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{done} frames | {_stats.FramesPerSecond:0.0} fps | e2e p50 {_stats.EndToEnd.Percentile(50):0} ms | drops {drops}");
    }
}
