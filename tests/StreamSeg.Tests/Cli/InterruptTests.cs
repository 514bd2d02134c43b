using System.Diagnostics;
using System.Text;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Ctrl+C (SIGINT) and SIGTERM drain the pipeline and leave every output finalised.</summary>
public class InterruptTests
{
    private static void Signal(int pid, string signal)
    {
        using Process kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    /// <summary>Waits until the run has written 2000 bytes of metadata, checking every <paramref name="poll"/>; fails if it ends first or takes over 60 s.</summary>
    private static void WaitForMetadata(Process run, string meta, StringBuilder stderr, TimeSpan poll)
    {
        var sw = Stopwatch.StartNew();
        while (!File.Exists(meta) || new FileInfo(meta).Length < 2000)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), "the run never produced metadata: " + stderr);
            Assert.False(run.HasExited, "the run ended early: " + stderr);
            Thread.Sleep(poll);
        }
    }

    /// <summary>Issue 15: SIGINT exits 130 and SIGTERM 143 (128 + the signal, what supervisors expect); SIGTERM exited 130 before.</summary>
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void Signal_MidRun_OutputsArePlayableAndWhole(string signal, int exitCode)
    {
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("long.avi"), 320, 240, 600);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();

        // --pace reads the file at its own 25 fps, so the run lasts 24 s unless interrupted.
        using Process p = CliRunner.Start(
            ["run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--pace", "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson")],
            stdout,
            stderr);
        WaitForMetadata(p, dir.File("m.ndjson"), stderr, TimeSpan.FromMilliseconds(100));

        Signal(p.Id, signal);
        Assert.True(p.WaitForExit(30_000), "the run did not stop within 30 s of SIG" + signal);
        p.WaitForExit();
        Assert.Equal(exitCode, p.ExitCode);

        string meta = File.ReadAllText(dir.File("m.ndjson"));
        Assert.EndsWith("\n", meta, StringComparison.Ordinal);
        int lines = meta.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(lines, 2, 599);
        Ffprobe.StreamInfo info = Ffprobe.Probe(dir.File("o.mp4"));
        Assert.Equal("h264", info.CodecName);
        Assert.Equal(lines, info.FrameCount);
        Assert.Contains("interrupted", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SecondInterrupt_StopsAtOnce_OutputsStillFinalised()
    {
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("long.avi"), 320, 240, 600);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using Process p = CliRunner.Start(
            ["run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson")],
            stdout,
            stderr);
        WaitForMetadata(p, dir.File("m.ndjson"), stderr, TimeSpan.FromMilliseconds(50));

        Signal(p.Id, "INT");
        Thread.Sleep(100);
        Signal(p.Id, "INT");
        Assert.True(p.WaitForExit(15_000), "a second Ctrl+C must stop the run at once");
        p.WaitForExit();
        Assert.Equal(130, p.ExitCode);
        Assert.EndsWith("\n", File.ReadAllText(dir.File("m.ndjson")), StringComparison.Ordinal);
        Assert.Equal("h264", Ffprobe.Probe(dir.File("o.mp4")).CodecName);
    }

    [Fact]
    public void SecondInterrupt_WhileASlowModelBackPressuresCapture_Exits130_OutputsStillFinalised()
    {
        // Issue 10 bug 1, end to end: yolo-seg-slow.onnx (scripts/make_slow_fixture.py) takes well over 100 ms a
        // frame on the CPU, so the lossless file source is always ahead and its capture thread is blocked writing
        // into a full edge. The first SIGINT does not unblock that write; the second, 20 ms later, cancels it.
        // Before the fix that cancellation faulted the capture task and the run exited 1 ("The pipeline failed.").
        // The window is a race (the write completes within one inference), so this test catches the bug most of the
        // time rather than every time; PipelineRunnerTests has the deterministic runner-level version.
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("long.avi"), 320, 240, 600);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using Process p = CliRunner.Start(
            ["run", "--source", video, "--model", TestPaths.Model("yolo-seg-slow.onnx"), "--device", "cpu", "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson")],
            stdout,
            stderr);
        WaitForMetadata(p, dir.File("m.ndjson"), stderr, TimeSpan.FromMilliseconds(50));

        Signal(p.Id, "INT");
        Thread.Sleep(20);
        Signal(p.Id, "INT");
        Assert.True(p.WaitForExit(30_000), "a second Ctrl+C must stop the run at once");
        p.WaitForExit();
        Assert.True(p.ExitCode == 130, $"exit code {p.ExitCode}, expected 130: {stderr}");

        string meta = File.ReadAllText(dir.File("m.ndjson"));
        Assert.EndsWith("\n", meta, StringComparison.Ordinal);
        string[] lines = meta.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => System.Text.Json.JsonDocument.Parse(line).Dispose()); // whole lines only

        // Finalised and readable; an abort may leave the last frames of one sink unwritten, so no frame-count match.
        Assert.Equal("h264", Ffprobe.Probe(dir.File("o.mp4")).CodecName);
        Assert.DoesNotContain("The pipeline failed", stderr.ToString(), StringComparison.Ordinal);
    }
}
