using StreamSeg.Capture;
using StreamSeg.Configuration;
using StreamSeg.Models;
using StreamSeg.Pipeline;

namespace StreamSeg.Cli;

/// <summary>The mapping from a failure to its exit code (README.md) and the one-line message printed for it.</summary>
internal static class CliErrors
{
    /// <summary>Gets the exit code and message of <paramref name="ex"/>.</summary>
    public static (int Code, string Message) Describe(Exception ex) => ex switch
    {
        ConfigException => (ExitCodes.Usage, ex.Message),
        SourceException => (ExitCodes.SourceError, ex.Message),
        ModelNotSupportedException => (ExitCodes.ModelError, ex.Message),
        ModelLoadException => (ExitCodes.ModelError, ex.Message),
        OutputException => (ExitCodes.OutputError, ex.Message),
        StageException { InnerException: SourceException inner } => (ExitCodes.SourceError, inner.Message),
        StageException se when se.Stage.StartsWith("sink:", StringComparison.Ordinal) => (ExitCodes.OutputError, ex.Message),
        _ => (ExitCodes.Failure, ex.Message),
    };
}
