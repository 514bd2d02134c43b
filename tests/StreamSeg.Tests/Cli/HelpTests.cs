using System.CommandLine;
using StreamSeg.Cli.CommandLine;

namespace StreamSeg.Tests.Cli;

/// <summary>The help is generated from the option definitions: every option a command binds is in its help.</summary>
public class HelpTests
{
    private static async Task<(int Code, string Output)> HelpAsync(params string[] args)
    {
        using var output = new StringWriter();
        int code = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output });
        return (code, output.ToString());
    }

    [Fact]
    public async Task RunHelp_ListsEveryRunOption()
    {
        (int code, string help) = await HelpAsync("run", "--help");
        Assert.Equal(0, code);
        var global = new GlobalOptions();
        string[] names = [.. new RunOptionBinder(global).Options.Select(o => o.Name), global.Verbose.Name, global.LogFormat.Name];
        Assert.True(names.Length >= 39, "the binder defines every run option");
        foreach (string name in names)
        {
            Assert.Contains(name + " ", help, StringComparison.Ordinal);
        }

        Assert.Contains("Ctrl+C again", help.Replace("a second Ctrl+C", "Ctrl+C again", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchAndBuildEngineHelp_ListTheirOptions()
    {
        (_, string bench) = await HelpAsync("bench", "--help");
        foreach (string name in new[] { "--source", "--model", "--pose-model", "--frames", "--json", "--upload", "--pose-size" })
        {
            Assert.Contains(name + " ", bench, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--out ", bench, StringComparison.Ordinal); // bench writes its own scratch outputs

        (_, string build) = await HelpAsync("models", "build-engine", "--help");
        foreach (string name in new[] { "--device-id", "--fp32", "--cache-dir", "--frame-size", "--pose-size", "--adapter", "--models-dir", "--upload" })
        {
            Assert.Contains(name + " ", build, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoCommand_PrintsUsage_Exit2()
    {
        (int code, string help) = await HelpAsync();
        Assert.Equal(2, code);
        Assert.Contains("streamseg run --source", help, StringComparison.Ordinal);
        Assert.Contains("130 interrupted", help, StringComparison.Ordinal);
    }
}
