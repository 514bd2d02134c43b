using System.CommandLine;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.CommandLine;

/// <summary>One option and how its value, when given on the command line, sets a <see cref="RunConfig"/>.</summary>
/// <param name="Option">The option.</param>
/// <param name="Apply">Sets the config from the parse (called only when the option was given).</param>
internal sealed record OptionBinding(Option Option, Action<RunConfig, ParseResult> Apply);
