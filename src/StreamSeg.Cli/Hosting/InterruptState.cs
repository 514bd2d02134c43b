namespace StreamSeg.Cli.Hosting;

/// <summary>
/// What the signals asked for, shared by <see cref="InterruptLifetime"/> (which records them) and the job (which
/// reads them): how many interrupts came, and the abort token that the second Ctrl+C cancels.
/// </summary>
/// <remarks>The first interrupt (drain) is the host's own stop, <c>IHostApplicationLifetime.ApplicationStopping</c>.</remarks>
internal sealed class InterruptState : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private int _interrupts;

    /// <summary>Gets the token cancelled by a second Ctrl+C: stop at once (outputs are still finalised).</summary>
    public CancellationToken AbortToken => _abort.Token;

    /// <summary>Gets a value indicating whether any SIGINT or SIGTERM came: the run exits 130.</summary>
    public bool Interrupted => Volatile.Read(ref _interrupts) > 0;

    /// <summary>Counts one interrupt and returns how many there have been.</summary>
    public int Count() => Interlocked.Increment(ref _interrupts);

    /// <summary>Cancels <see cref="AbortToken"/>.</summary>
    public void Abort() => _abort.Cancel();

    /// <inheritdoc/>
    public void Dispose() => _abort.Dispose();
}
