using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace StreamSeg.Cli.CommandLine;

/// <summary>
/// The generated help, followed by a command's notes when it has some (the root's exit codes, run's Ctrl+C behaviour,
/// the usage of each <c>models</c> subcommand), so that descriptions stay one line in the lists of subcommands.
/// </summary>
internal sealed class HelpWithNotesAction : SynchronousCommandLineAction
{
    private readonly HelpAction _generated;
    private readonly Dictionary<Command, Func<string>> _notes = [];

    /// <summary>Creates the action around the generated help.</summary>
    public HelpWithNotesAction(HelpAction generated)
    {
        _generated = generated;
    }

    /// <summary>Adds notes printed after <paramref name="command"/>'s help (made when shown: they may list its subcommands).</summary>
    public void AddNotes(Command command, Func<string> notes) => _notes[command] = notes;

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int code = _generated.Invoke(parseResult);
        if (_notes.TryGetValue(parseResult.CommandResult.Command, out Func<string>? notes))
        {
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(notes().TrimEnd());
            output.WriteLine();
        }

        return code;
    }
}
