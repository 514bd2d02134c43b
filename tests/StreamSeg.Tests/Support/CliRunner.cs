using System.Diagnostics;
using System.Text;

namespace StreamSeg.Tests.Support;

/// <summary>Runs the real <c>streamseg</c> command (StreamSeg.Cli.dll next to the tests) as a child process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "StreamSeg.Cli.dll");

    public static Process Start(IEnumerable<string> args, StringBuilder stdout, StringBuilder stderr)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.Repo,
        };
        psi.ArgumentList.Add(CliDll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static Result Run(params string[] args)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using Process p = Start(args, stdout, stderr);
        if (!p.WaitForExit(240_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"streamseg {string.Join(' ', args)} did not finish in 240 s; stderr: {stderr}");
        }

        p.WaitForExit();
        return new Result(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Makes a short real video with ffmpeg's test pattern (MPEG-4 Part 2 in AVI, as a camera recorder might).</summary>
    public static string MakeVideo(string path, int width, int height, int frames, int fps = 25)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={fps}", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "mpeg4", "-q:v", "4", path })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "ffmpeg could not make the test video: " + err);
        return path;
    }
}
