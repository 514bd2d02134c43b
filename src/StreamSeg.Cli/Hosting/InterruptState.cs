namespace StreamSeg.Cli.Hosting;

/// <summary>
/// What the signals asked for, shared by <see cref="InterruptLifetime"/> (which records them) and the job (which
/// reads them): how many interrupts came, and the abort token that the second Ctrl+C cancels.
/// </summary>
/// <remarks>
/// The first interrupt (drain) is the host's own stop, <c>IHostApplicationLifetime.ApplicationStopping</c>. Signals
/// are taken over only while there is something to drain (<see cref="EnterPipeline"/>) or once a drain has begun:
/// before that (loading models, opening sources) Ctrl+C ends the process at once, as it always has.
/// </remarks>
internal sealed class InterruptState : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private int _interrupts;
    private int _pipelines;
    private int _firstSignal;

    /// <summary>
    /// Gets the token cancelled by the first Ctrl+C or SIGTERM, in the signal handler itself: the drain starts at once,
    /// not after the host's stop has gone round the thread pool (which, on a loaded machine, can take longer than the
    /// user takes to press Ctrl+C again).
    /// </summary>
    public CancellationToken StopToken => _stop.Token;

    /// <summary>Gets the token cancelled by a second Ctrl+C: stop at once (outputs are still finalised).</summary>
    public CancellationToken AbortToken => _abort.Token;

    /// <summary>Gets a value indicating whether any SIGINT or SIGTERM came: the run exits <see cref="ExitCode"/>.</summary>
    public bool Interrupted => Volatile.Read(ref _interrupts) > 0;

    /// <summary>
    /// Gets the exit code of an interrupted run, from the first signal that came: 143 for SIGTERM, 130 for SIGINT (a
    /// second Ctrl+C after a SIGTERM does not change it).
    /// </summary>
    public int ExitCode => Volatile.Read(ref _firstSignal) == 15 ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Gets a value indicating whether a signal should drain rather than end the process: a pipeline runs, or a drain has begun.</summary>
    public bool Handles => Volatile.Read(ref _pipelines) > 0 || Interrupted;

    /// <summary>Marks a pipeline as running (its outputs open) until the returned scope is disposed.</summary>
    public IDisposable EnterPipeline()
    {
        Interlocked.Increment(ref _pipelines);
        return new PipelineScope(this);
    }

    /// <summary>Counts one interrupt (<paramref name="terminate"/>: a SIGTERM) and returns how many there have been.</summary>
    public int Count(bool terminate = false)
    {
        Interlocked.CompareExchange(ref _firstSignal, terminate ? 15 : 2, 0);
        return Interlocked.Increment(ref _interrupts);
    }

    /// <summary>Cancels <see cref="StopToken"/>.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Cancels <see cref="AbortToken"/>.</summary>
    public void Abort() => _abort.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Dispose();
        _abort.Dispose();
    }

    private sealed class PipelineScope(InterruptState state) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref state._pipelines);
            }
        }
    }
}
