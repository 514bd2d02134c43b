using System.CommandLine;
using System.CommandLine.Invocation;

namespace StreamSeg.Cli.CommandLine;

/// <summary>A synchronous System.CommandLine action from a delegate (for options with an action of their own, such as <c>--version</c>).</summary>
internal sealed class DelegateAction : SynchronousCommandLineAction
{
    private readonly Func<ParseResult, int> _invoke;

    /// <summary>Creates the action.</summary>
    public DelegateAction(Func<ParseResult, int> invoke)
    {
        _invoke = invoke;
    }

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult) => _invoke(parseResult);
}
