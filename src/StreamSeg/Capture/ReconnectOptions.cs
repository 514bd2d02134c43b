namespace StreamSeg.Capture;

/// <summary>How a live source recovers when it stalls or fails (<see cref="ReconnectingSource"/>).</summary>
public sealed record ReconnectOptions
{
    /// <summary>Gets the defaults: <see cref="ReconnectPolicy.Default"/> (0.5 s doubling to 10 s, forever), a placeholder every 200 ms.</summary>
    public static ReconnectOptions Default { get; } = new();

    /// <summary>Gets when the source is reopened and when it gives up. Default <see cref="ReconnectPolicy.Default"/>.</summary>
    public ReconnectPolicy Policy { get; init; } = ReconnectPolicy.Default;

    /// <summary>Gets, while offline, how often an "offline" card is emitted so that outputs keep going; zero turns them off. Default 200 ms.</summary>
    public TimeSpan PlaceholderInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Policy);
        Policy.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(PlaceholderInterval, TimeSpan.Zero);
    }
}
