namespace StreamSeg.Cli;

/// <summary>A model file that is missing or that ONNX Runtime cannot load.</summary>
internal sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException()
    {
    }
}
