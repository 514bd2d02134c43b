namespace StreamSeg.Configuration;

/// <summary>A config file or flag that is not valid: the message names the file or flag, the key and what was expected.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException()
    {
    }
}
