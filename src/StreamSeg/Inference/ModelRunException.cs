namespace StreamSeg.Inference;

/// <summary>A model failed on a frame: names the model, the frame and its source (the models of a frame run side by side, so the stage alone would not say which).</summary>
public sealed class ModelRunException : Exception
{
    /// <summary>Creates the exception for model <paramref name="model"/> (its file name) on frame <paramref name="frameIndex"/> of <paramref name="sourceId"/>.</summary>
    public ModelRunException(string model, string sourceId, long frameIndex, Exception innerException)
        : base($"model '{model}' failed on frame {frameIndex} of source '{sourceId}': {innerException?.Message}", innerException)
    {
        Model = model;
        SourceId = sourceId;
        FrameIndex = frameIndex;
    }

    /// <summary>Creates the exception.</summary>
    public ModelRunException()
    {
        Model = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ModelRunException(string message)
        : base(message)
    {
        Model = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ModelRunException(string message, Exception innerException)
        : base(message, innerException)
    {
        Model = string.Empty;
        SourceId = string.Empty;
    }

    /// <summary>Gets the model's file name.</summary>
    public string Model { get; }

    /// <summary>Gets the source of the frame.</summary>
    public string SourceId { get; }

    /// <summary>Gets the index of the frame.</summary>
    public long FrameIndex { get; }
}
