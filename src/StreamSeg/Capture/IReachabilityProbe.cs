namespace StreamSeg.Capture;

/// <summary>
/// A source that can ask, far more cheaply than a full open, whether it could be opened now (for a network stream:
/// a TCP connect and, for RTSP, one DESCRIBE). <see cref="ReconnectingSource"/> probes between full opens, so that a
/// source that comes back is reopened at once however long it was away, without starting a decoder every half second
/// against a dead host.
/// </summary>
public interface IReachabilityProbe
{
    /// <summary>Probes the source, taking at most about <paramref name="timeout"/>; never throws for a network failure.</summary>
    SourceReachability Probe(TimeSpan timeout);
}
