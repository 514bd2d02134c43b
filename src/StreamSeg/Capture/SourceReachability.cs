namespace StreamSeg.Capture;

/// <summary>What a cheap probe (<see cref="IReachabilityProbe"/>) found out about an offline source.</summary>
public enum SourceReachability
{
    /// <summary>The probe cannot tell (no probe for this kind of source, or the server wants credentials first): open to find out.</summary>
    Unknown,

    /// <summary>Nothing answers, or the server answers that it has no such stream (yet): a full open would fail.</summary>
    Unreachable,

    /// <summary>The server answers and says it has the stream: a full open should succeed now.</summary>
    Serving,
}
