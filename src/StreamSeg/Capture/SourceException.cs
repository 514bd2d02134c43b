namespace StreamSeg.Capture;

/// <summary>A source that cannot be opened or read: the message names the source (credentials redacted) and what was expected.</summary>
public sealed class SourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SourceException(string message)
        : base(UrlRedactor.Redact(message))
    {
    }

    /// <summary>Creates the exception.</summary>
    public SourceException(string message, Exception innerException)
        : base(UrlRedactor.Redact(message), innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SourceException()
    {
    }
}
