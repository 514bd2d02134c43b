namespace StreamSeg.Pipeline;

/// <summary>A fault in a stage, naming the stage and the frame it was processing.</summary>
public sealed class StageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StageException(string stage, string sourceId, long frameIndex, Exception innerException)
        : base($"Stage '{stage}' failed on frame {frameIndex} of source '{sourceId}': {innerException?.Message}", innerException)
    {
        Stage = stage;
        SourceId = sourceId;
        FrameIndex = frameIndex;
    }

    /// <summary>Creates the exception.</summary>
    public StageException()
    {
        Stage = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StageException(string message)
        : base(message)
    {
        Stage = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Stage = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Gets the stage's name.</summary>
    public string Stage { get; }

    /// <summary>Gets the source of the frame.</summary>
    public string SourceId { get; }

    /// <summary>Gets the index of the frame.</summary>
    public long FrameIndex { get; }
}
