namespace StreamSeg.Web;

/// <summary>The health of one stream as reported by <c>/health</c>.</summary>
public enum StreamHealth
{
    /// <summary>Registered, but no frame has arrived yet.</summary>
    Starting,

    /// <summary>Frames are arriving.</summary>
    Ready,

    /// <summary>No frame for longer than <see cref="WebViewSinkOptions.StaleAfter"/>.</summary>
    Degraded,

    /// <summary>The run has finished (the sink was completed).</summary>
    Ended,
}
