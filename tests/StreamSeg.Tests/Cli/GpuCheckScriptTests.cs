using System.Diagnostics;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>scripts/gpu-check.sh</c> where there is no GPU: a clear error and exit 3, no report; bad options: exit 2.</summary>
public class GpuCheckScriptTests
{
    private static (int Code, string StdOut, string StdErr) Run(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.Repo };
        info.ArgumentList.Add(Path.Combine(TestPaths.Repo, "scripts", "gpu-check.sh"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "gpu-check.sh did not end within a minute");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [GpuFact(available: false)]
    public void NoGpu_Exit3_OneClearLine_NoReport()
    {
        using var dir = new TempDirectory();
        string report = dir.File("report.md");
        (int code, string stdout, string stderr) = Run("--out", report);
        Assert.Equal(3, code);
        Assert.Empty(stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("gpu-check: error: no NVIDIA GPU found (", lines[0], StringComparison.Ordinal);
        Assert.Contains("run it on such a machine", lines[0], StringComparison.Ordinal);
        Assert.False(File.Exists(report));
    }

    [Theory]
    [InlineData("--frames", "many")]
    [InlineData("--devices", "tpu")]
    [InlineData("--uploads", "int4")]
    [InlineData("--colour", "red")]
    public void BadOption_Exit2_NamesIt(string option, string value)
    {
        (int code, _, string stderr) = Run(option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("gpu-check: error: ", stderr, StringComparison.Ordinal);
        Assert.Contains(option == "--colour" ? "'--colour'" : value, stderr, StringComparison.Ordinal);
    }
}
