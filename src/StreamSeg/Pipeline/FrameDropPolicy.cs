namespace StreamSeg.Pipeline;

/// <summary>What an edge does when it is full, after GStreamer's <c>queue leaky</c> and <see cref="System.Threading.Channels.BoundedChannelFullMode"/>.</summary>
public enum FrameDropPolicy
{
    /// <summary>The writer waits: no frame is ever lost (files).</summary>
    Wait,

    /// <summary>The oldest queued frame is dropped and counted, so latency stays bounded (live sources).</summary>
    DropOldest,

    /// <summary>The incoming frame is dropped and counted.</summary>
    DropNewest,
}
