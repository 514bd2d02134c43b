namespace StreamSeg.Capture;

/// <summary>One change of a source's state, reported once when it happens.</summary>
/// <param name="SourceId">The source's id (credentials redacted).</param>
/// <param name="SourceIndex">The source's position in the run.</param>
/// <param name="State">The new state.</param>
/// <param name="Time">When it changed (UTC).</param>
/// <param name="Reason">Why, for Stalled and Ended (credentials redacted); null otherwise.</param>
/// <param name="Reconnects">How many times the source has reconnected so far.</param>
/// <param name="Offline">For Live after a reconnect: how long the source was offline (<see cref="Away"/> plus <paramref name="Reopen"/>).</param>
/// <param name="Reopen">
/// For Live after a reconnect: how long the reopen took, from the first sign that the source was back (a probe that
/// found it serving, or the start of the open that succeeded) to live.
/// </param>
public sealed record SourceStateChange(string SourceId, int SourceIndex, SourceState State, DateTimeOffset Time, string? Reason, int Reconnects, TimeSpan? Offline = null, TimeSpan? Reopen = null)
{
    /// <summary>Gets, for Live after a reconnect, how long the source was really away: <see cref="Offline"/> less <see cref="Reopen"/>.</summary>
    public TimeSpan? Away => Offline is TimeSpan offline && Reopen is TimeSpan reopen ? offline - reopen : null;
}
