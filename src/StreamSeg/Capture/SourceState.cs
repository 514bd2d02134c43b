namespace StreamSeg.Capture;

/// <summary>The health of a source, as logs, metrics and the metadata stream report it.</summary>
public enum SourceState
{
    /// <summary>Opening for the first time.</summary>
    Connecting,

    /// <summary>Frames are arriving.</summary>
    Live,

    /// <summary>No frame arrived within the read timeout, or the stream ended or failed; about to reconnect.</summary>
    Stalled,

    /// <summary>Reopening, with exponential backoff.</summary>
    Reconnecting,

    /// <summary>Ended: end of file, stopped, or given up after the allowed attempts.</summary>
    Ended,
}
