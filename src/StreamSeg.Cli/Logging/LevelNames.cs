using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli.Logging;

/// <summary>The short level names of StreamSeg's log lines (<c>info</c>, <c>warn</c> …), shared by the text and JSON formats.</summary>
internal static class LevelNames
{
    /// <summary>Gets the name of <paramref name="level"/> as the log lines spell it.</summary>
    public static string Of(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "error",
        _ => "none",
    };
}
