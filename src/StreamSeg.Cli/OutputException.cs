namespace StreamSeg.Cli;

/// <summary>An output (video file, metadata file) that cannot be written.</summary>
internal sealed class OutputException : Exception
{
    public OutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OutputException(string message)
        : base(message)
    {
    }

    public OutputException()
    {
    }
}
