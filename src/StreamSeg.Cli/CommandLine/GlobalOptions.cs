using System.CommandLine;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.CommandLine;

/// <summary>The options every command takes (defined on the root, recursive): <c>--verbose</c> and <c>--log-format</c>.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Creates the options.</summary>
    public GlobalOptions()
    {
        Verbose = new Option<bool>("--verbose")
        {
            Description = "debug lines, and stack traces on errors",
            Recursive = true,
        };
        LogFormat = new Option<string>("--log-format")
        {
            HelpName = "text|json",
            Description = "log lines on standard error: text (default; 'streamseg: info: …') or json (one object per line: timestamp, level, category, message, exception) [config: log_format]",
            Recursive = true,
        };
        LogFormat.Validators.Add(static r =>
        {
            string? value = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (value is not ("text" or "json"))
            {
                r.AddError($"Option '--log-format': '{value}' is not text or json.");
            }
        });
    }

    /// <summary>Gets <c>--verbose</c>.</summary>
    public Option<bool> Verbose { get; }

    /// <summary>Gets <c>--log-format</c> (for <c>run</c> also the config key <c>log_format</c>, through <see cref="RunOptionBinder"/>).</summary>
    public Option<string> LogFormat { get; }

    /// <summary>Gets the logging settings of a parse: the flags, over <paramref name="config"/>'s <c>log_format</c> when it was bound.</summary>
    public LogSettings Read(ParseResult result, RunConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool verbose = false;
        string? format = config?.LogFormat;
        try
        {
            verbose = result.GetValue(Verbose);
            if (result.GetResult(LogFormat) is { Implicit: false })
            {
                format = result.GetValue(LogFormat);
            }
        }
        catch (InvalidOperationException)
        {
            // A parse with errors in these options: log as by default, the error line says what is wrong.
        }

        return new LogSettings(format is null ? Logging.LogFormat.Text : LogSettings.ParseFormat(format), verbose);
    }
}
