using System.Diagnostics;
using System.Text;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Fault injection with real parts: the RTSP relay is killed mid-run and started again.</summary>
public class ReconnectTests
{
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
}
