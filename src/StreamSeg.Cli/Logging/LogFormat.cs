namespace StreamSeg.Cli.Logging;

/// <summary>How log lines are written on standard error (<c>--log-format</c>, config key <c>log_format</c>).</summary>
internal enum LogFormat
{
    /// <summary>One concise line per message: <c>streamseg: info: …</c>.</summary>
    Text,

    /// <summary>One JSON object per line: timestamp, level, category, message and exception when there is one.</summary>
    Json,
}
