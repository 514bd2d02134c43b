using Microsoft.Extensions.Logging.Console;

namespace StreamSeg.Cli.Logging;

/// <summary>Settings of <see cref="StreamSegConsoleFormatter"/> and <see cref="JsonLineConsoleFormatter"/>.</summary>
internal sealed class StreamSegConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Gets or sets whether a text line is followed by its exception's type and stack trace (<c>--verbose</c>); JSON lines always carry it.</summary>
    public bool IncludeExceptionDetails { get; set; }
}
