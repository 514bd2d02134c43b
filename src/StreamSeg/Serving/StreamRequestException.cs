namespace StreamSeg.Serving;

/// <summary>A stream request that was refused, with a one-line message that names the field or the limit.</summary>
public sealed class StreamRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamRequestException(StreamRequestError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the constructor with an error).</summary>
    public StreamRequestException()
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the constructor with an error).</summary>
    public StreamRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the constructor with an error).</summary>
    public StreamRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets why the request was refused.</summary>
    public StreamRequestError Error { get; }
}
