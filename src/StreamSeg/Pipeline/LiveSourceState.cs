namespace StreamSeg.Pipeline;

/// <summary>Where a source of a <see cref="LivePipeline"/> is in its life.</summary>
public enum LiveSourceState
{
    /// <summary>Capturing and flowing through the pipeline.</summary>
    Live,

    /// <summary>Being removed: capture stopped, its frames in flight draining, then its sinks finalised.</summary>
    Stopping,

    /// <summary>The source ended by itself (end of file) and its sinks are finalised.</summary>
    Ended,

    /// <summary>The source or one of its sinks failed; what it had is finalised.</summary>
    Failed,

    /// <summary>Removed on request; its sinks are finalised.</summary>
    Removed,
}
