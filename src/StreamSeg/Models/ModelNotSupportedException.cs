namespace StreamSeg.Models;

/// <summary>Thrown when a model's tensors fit no adapter, or do not fit the adapter asked for.</summary>
public sealed class ModelNotSupportedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelNotSupportedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelNotSupportedException()
    {
    }
}
