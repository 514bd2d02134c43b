using System.CommandLine;
using System.Text;

namespace StreamSeg.Cli.CommandLine;

/// <summary>One-line usage of a command generated from its definition: <c>streamseg models info &lt;model.onnx&gt; [--adapter name]</c>.</summary>
internal static class Synopsis
{
    /// <summary>Gets the usage line of <paramref name="command"/>, prefixed with its parents' names (<paramref name="prefix"/>).</summary>
    public static string Of(Command command, string prefix)
    {
        ArgumentNullException.ThrowIfNull(command);
        var line = new StringBuilder(prefix).Append(' ').Append(command.Name);
        foreach (Argument argument in command.Arguments)
        {
            line.Append(" <").Append(argument.HelpName ?? argument.Name).Append('>');
        }

        foreach (Option option in command.Options)
        {
            line.Append(" [").Append(option.Name);
            if (option.ValueType != typeof(bool))
            {
                line.Append(' ').Append(option.HelpName ?? "value");
            }

            line.Append(']');
        }

        return line.ToString();
    }
}
