namespace StreamSeg.Capture;

/// <summary>How a live source recovers when it stalls or fails (<see cref="ReconnectingSource"/>).</summary>
public sealed record ReconnectOptions
{
    /// <summary>
    /// Gets the defaults: <see cref="ReconnectPolicy.LiveSource"/> (every 0.5 s for the first minute, then 0.5 s doubling
    /// to 10 s, forever), a reachability probe every 0.5 s, a placeholder every 200 ms.
    /// </summary>
    public static ReconnectOptions Default { get; } = new();

    /// <summary>Gets when the source is reopened and when it gives up. Default <see cref="ReconnectPolicy.LiveSource"/>.</summary>
    public ReconnectPolicy Policy { get; init; } = ReconnectPolicy.LiveSource;

    /// <summary>
    /// Gets, while offline, how often a source that has a cheap probe (<see cref="IReachabilityProbe"/>) is probed; zero
    /// turns probing off. Default 0.5 s. A probe that finds the source serving again starts a full open at once; a probe
    /// that finds nothing there skips the full open that was due (it still counts as a failed attempt).
    /// </summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets, while offline, how often an "offline" card is emitted so that outputs keep going; zero turns them off. Default 200 ms.</summary>
    public TimeSpan PlaceholderInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Policy);
        Policy.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(PlaceholderInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeInterval, TimeSpan.Zero);
    }
}
