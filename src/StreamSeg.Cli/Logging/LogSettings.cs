namespace StreamSeg.Cli.Logging;

/// <summary>The logging a command runs with: its format and whether debug lines (and exception details) are written.</summary>
/// <param name="Format">The line format.</param>
/// <param name="Verbose">Whether debug lines and exception stack traces are written (<c>--verbose</c>).</param>
internal sealed record LogSettings(LogFormat Format, bool Verbose)
{
    /// <summary>Gets the settings of a run with no logging flags: text lines, information and above.</summary>
    public static LogSettings Default { get; } = new(LogFormat.Text, Verbose: false);

    /// <summary>Parses a <c>--log-format</c> or <c>log_format</c> value (<c>text</c> or <c>json</c>, already validated).</summary>
    public static LogFormat ParseFormat(string value) =>
        string.Equals(value, "json", StringComparison.OrdinalIgnoreCase) ? LogFormat.Json : LogFormat.Text;
}
