using System.Diagnostics;
using System.Text;
using System.Text.Json;
using StreamSeg.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Cli;

/// <summary>Fault injection with real parts: the RTSP relay is killed mid-run and started again.</summary>
public class ReconnectTests
{
    private readonly ITestOutputHelper _output;

    public ReconnectTests(ITestOutputHelper output) => _output = output;

    // Publishes the clip to the relay in a loop and waits until a viewer can pull it, so the run never asks too early.
    private static Process StartPusher(string clip, RtspRelay relay)
    {
        Process pusher = ChildProcess.Start("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10",
            "-f", "rtsp", "-rtsp_transport", "udp", relay.SourceUrl("live")]);
        try
        {
            Readiness.WaitForStream(relay.ClientUrl("live"), Readiness.Timeout, pusher);
        }
        catch
        {
            ChildProcess.Stop(pusher);
            throw;
        }

        return pusher;
    }

    [Fact]
    public void RelayKilledAndRestarted_RunReportsStallReconnectsAndOutputsStayValid()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        using RtspRelay relay = RtspRelay.Start();
        Process? pusher = null;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Process? run = null;
        try
        {
            pusher = StartPusher(clip, relay);
            run = CliRunner.Start(
                ["run", "--source", relay.ClientUrl("live"), "--rtsp-transport", "udp", "--stall-timeout", "2",
                 "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--max-frames", "120",
                 "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson")],
                stdout,
                stderr);

            var sw = Stopwatch.StartNew();
            while (!stderr.ToString().Contains("source 'rtsp://127.0.0.1", StringComparison.Ordinal) || !File.Exists(dir.File("m.ndjson")) || File.ReadAllLines(dir.File("m.ndjson")).Length < 20)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(40), "no frames before the fault: " + stderr);
                Assert.False(run.HasExited, "the run ended early: " + stderr);
                Thread.Sleep(200);
            }

            // The fault: the relay and the publisher go away.
            ChildProcess.Stop(pusher);
            pusher = null;
            relay.Kill();
            Thread.Sleep(4000);
            Assert.False(run.HasExited, "a stalled source must not end the run: " + stderr);

            // The relay comes back on the same ports.
            relay.Restart();
            pusher = StartPusher(clip, relay);
            Assert.True(run.WaitForExit(60_000), "the run did not recover and finish: " + stderr);
            run.WaitForExit();
            string log = stderr.ToString();
            Assert.True(run.ExitCode == 0, log);
            Assert.Contains("stalled", log, StringComparison.Ordinal);
            Assert.Contains("reconnecting", log, StringComparison.Ordinal);
            Assert.Contains("live again after", log, StringComparison.Ordinal);
            Assert.Contains("frames in 120,", stdout.ToString(), StringComparison.Ordinal);

            // Outputs stayed valid throughout: whole JSON lines, a playable video with the placeholder frames in it.
            string[] lines = File.ReadAllLines(dir.File("m.ndjson"));
            var health = new List<string>();
            int frameLines = 0;
            foreach (string line in lines)
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                string schema = doc.RootElement.GetProperty("schema").GetString()!;
                if (schema == "streamseg.health/1")
                {
                    health.Add(doc.RootElement.GetProperty("state").GetString()!);
                }
                else
                {
                    Assert.Equal("streamseg.frame/1", schema);
                    frameLines++;
                }
            }

            // The metadata stream tells the story: stalled, reconnecting, live again; and placeholders add no frame lines.
            Assert.Equal(["stalled", "reconnecting", "live"], health.SkipWhile(s => s == "live").Take(3));
            Assert.InRange(frameLines, 100, 120);

            Ffprobe.StreamInfo video = Ffprobe.Probe(dir.File("o.mp4"));
            Assert.Equal(("h264", 320, 240), (video.CodecName, video.Width, video.Height));
            Assert.True(video.FrameCount >= 100, $"video has {video.FrameCount} frames");
        }
        finally
        {
            ChildProcess.Stop(run, pusher);
        }
    }

    /// <summary>
    /// Issue 15: the relay is down for <paramref name="outageSeconds"/> s (3: inside the quick phase; 15: several
    /// backoff steps in); the run (default transport: auto, which finds UDP on this relay) must put out a real frame
    /// within 2 s of the stream's return. The bound asserted is generous (a loaded machine); the figure is printed.
    /// Before the probes and the quick reopen this took 8–10 s after the return.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(15)]
    public void RelayDownForSeconds_FirstFrameOutSoonAfterItsReturn(int outageSeconds)
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("c.avi"), 320, 240, 50);
        string meta = dir.File("m.ndjson");
        using RtspRelay relay = RtspRelay.Start();
        Process? pusher = null;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Process? run = null;
        try
        {
            pusher = relay.Publish(clip);
            run = CliRunner.Start(
                ["run", "--source", relay.ClientUrl("live"), "--stall-timeout", "2",
                 "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--out", dir.File("o.mp4"), "--meta", meta],
                stdout,
                stderr);
            Assert.True(Readiness.PollUntil(() => run.HasExited || Lines(meta).Count(IsFrame) >= 10, TimeSpan.FromSeconds(60)), "no frames before the fault: " + stderr);
            Assert.False(run.HasExited, "the run ended early: " + stderr);

            ChildProcess.Stop(pusher);
            pusher = null;
            relay.Kill();
            Thread.Sleep(TimeSpan.FromSeconds(outageSeconds));

            // Back: the relay, then its publisher; the stream has returned when the relay serves it to a viewer.
            relay.Restart();
            pusher = relay.StartPublisher(clip);
            Assert.True(Readiness.PollUntil(() => relay.IsServing(), Readiness.Timeout), "the publisher did not come back");
            var sinceReturn = Stopwatch.StartNew();
            int framesAtReturn = FramesAfterLive(meta);
            Assert.True(Readiness.PollUntil(() => FramesAfterLive(meta) > framesAtReturn, TimeSpan.FromSeconds(30)), "no frame after the return within 30 s: " + stderr);
            TimeSpan recovery = sinceReturn.Elapsed;
            _output.WriteLine($"outage {outageSeconds} s: first frame out {recovery.TotalSeconds:0.00} s after the stream's return");

            // Stop as a supervisor would: SIGTERM, exit 143, the outputs whole.
            using (Process kill = Process.Start("kill", $"-TERM {run.Id}"))
            {
                kill.WaitForExit();
            }

            Assert.True(run.WaitForExit(60_000), "the run did not stop on SIGTERM: " + stderr);
            run.WaitForExit();
            string log = stderr.ToString();
            Assert.True(run.ExitCode == 143, $"exit code {run.ExitCode}: {log}");
            Assert.Contains("RTSP over udp (auto)", log, StringComparison.Ordinal);
            Assert.Matches(@"live again after [0-9.]+ s offline \(reconnect 1; away [0-9.]+ s, reopen [0-9.]+ s\)", log);
            Assert.True(recovery < TimeSpan.FromSeconds(6), $"first frame {recovery.TotalSeconds:0.0} s after the stream's return (goal 2 s): {log}");

            // The health record splits the time offline into away and reopen.
            using JsonDocument live = JsonDocument.Parse(Lines(meta).Last(l => l.Contains("\"state\":\"live\"", StringComparison.Ordinal) && l.Contains("\"reconnects\":1", StringComparison.Ordinal)));
            double offline = live.RootElement.GetProperty("offline_ms").GetDouble();
            double away = live.RootElement.GetProperty("away_ms").GetDouble();
            double reopen = live.RootElement.GetProperty("reopen_ms").GetDouble();
            Assert.Equal(offline, away + reopen, 1.0);
            Assert.True(away >= outageSeconds * 1000 - 2500, $"away {away} ms for an outage of {outageSeconds} s (less the stall timeout)");
            Assert.InRange(reopen, 0, 10_000);
            Assert.Equal("h264", Ffprobe.Probe(dir.File("o.mp4")).CodecName);
        }
        finally
        {
            ChildProcess.Stop(run, pusher);
        }
    }

    private static List<string> Lines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        // The run appends while we read: open shared, keep whole lines only.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        int end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }

    private static bool IsFrame(string line) => line.Contains("\"streamseg.frame/1\"", StringComparison.Ordinal);

    // Frame lines after the last "live" record that follows a reconnect (0 while the source is still offline).
    private static int FramesAfterLive(string meta)
    {
        List<string> lines = Lines(meta);
        int live = lines.FindLastIndex(l => l.Contains("\"state\":\"live\"", StringComparison.Ordinal) && !l.Contains("\"reconnects\":0", StringComparison.Ordinal));
        return live < 0 ? 0 : lines.Skip(live + 1).Count(IsFrame);
    }
}
