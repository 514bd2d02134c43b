namespace StreamSeg.Capture;

/// <summary>How a live source recovers when it stalls or fails.</summary>
/// <param name="InitialDelay">The first wait before reopening (0.5 s).</param>
/// <param name="MaxDelay">The longest wait between attempts (10 s); waits double up to it, with ±20 % jitter.</param>
/// <param name="MaxAttempts">Attempts in a row before giving up; 0 = forever (the default).</param>
/// <param name="PlaceholderInterval">While offline, how often an "offline" card is emitted so outputs keep going; zero turns them off.</param>
public sealed record ReconnectOptions(TimeSpan InitialDelay, TimeSpan MaxDelay, int MaxAttempts = 0, TimeSpan PlaceholderInterval = default)
{
    /// <summary>Gets the defaults: 0.5 s doubling to 10 s, forever, a placeholder every 200 ms.</summary>
    public static ReconnectOptions Default { get; } = new(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10), 0, TimeSpan.FromMilliseconds(200));

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDelay), "ReconnectOptions: InitialDelay must be positive and at most MaxDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(PlaceholderInterval, TimeSpan.Zero);
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/>.</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double ms = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        ms = Math.Min(ms, MaxDelay.TotalMilliseconds);
        ms *= 0.8 + (0.4 * random.NextDouble());
        return TimeSpan.FromMilliseconds(ms);
    }
}
