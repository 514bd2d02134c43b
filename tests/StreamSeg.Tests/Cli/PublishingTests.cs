using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// Every output at once from one run, each checked by a real peer: an RTSP relay pulled by ffprobe, the web view
/// scraped over HTTP, a mosquitto broker watched by mosquitto_sub, and the MP4 and NDJSON files.
/// </summary>
public partial class PublishingTests
{
    private static long Metric(string metrics, string name)
    {
        Match m = Regex.Match(metrics, "^" + Regex.Escape(name) + @"(\{[^}]*\})? (\d+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} not in /metrics:\n{metrics}");
        return long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    [MosquittoFact]
    public async Task AllOutputsAtOnce_EachReachesItsRealPeer()
    {
        using var dir = new TempDirectory();
        string video = CliRunner.MakeVideo(dir.File("clip.avi"), 320, 240, 150);
        using RtspRelay relay = RtspRelay.Start();
        int httpPort = Ports.Free();
        MosquittoBroker? broker = null;
        Process? subscriber = null;
        Process? viewer = null;
        Process? run = null;
        var messages = new ConcurrentQueue<string>();
        try
        {
            broker = MosquittoBroker.Start(dir);
            Readiness.WaitForListener(broker.Port, "mosquitto");

            // -d prints "Subscribed (mid: …)" once the broker acknowledged the subscription: only then is no message lost.
            subscriber = ChildProcess.Start("stdbuf", ["-oL", MosquittoFactAttribute.Find("mosquitto_sub")!, "-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "streamseg/#", "-v", "-d"], messages.Enqueue);
            Assert.True(
                Readiness.PollUntil(() => messages.Any(m => m.StartsWith("Subscribed (mid", StringComparison.Ordinal)), Readiness.Timeout),
                $"mosquitto_sub did not subscribe within {Readiness.Timeout.TotalSeconds} s: {string.Join(Environment.NewLine, messages)}");

            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            run = CliRunner.Start(
                ["run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--pace",
                 "--publish", relay.SourceUrl("out"), "--http", $"127.0.0.1:{httpPort}", "--mqtt", $"mqtt://127.0.0.1:{broker.Port}/streamseg",
                 "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson")],
                stdout,
                stderr);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the web view never came up: " + stderr);
                Assert.False(run.HasExited, "the run ended early: " + stderr);
                try
                {
                    if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            // A viewer pulls the published stream while the run goes on (6 s of video at its own pace). The push
            // starts with the first annotated frame, so a viewer that asks too early gets "not found" and asks again,
            // for as long as the run goes on: how long the run takes to annotate its first frame depends on the load.
            string probeOut = string.Empty;
            var viewerErr = new StringBuilder();
            var viewerClock = Stopwatch.StartNew();
            while (!probeOut.StartsWith("h264", StringComparison.Ordinal) && !run.HasExited && viewerClock.Elapsed < Readiness.Timeout)
            {
                var viewerOut = new StringBuilder();
                viewerErr.Clear();
                viewer = ChildProcess.Start("ffprobe", ["-v", "error", "-rtsp_transport", "udp", "-timeout", "2000000", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", relay.ClientUrl("out")], l => viewerOut.AppendLine(l), l => viewerErr.AppendLine(l));
                if (viewerClock.Elapsed < TimeSpan.FromMilliseconds(100))
                {
                    long first = Metric(await http.GetStringAsync("/metrics"), "streamseg_frames_out_total");
                    await Task.Delay(1200);
                    long second = Metric(await http.GetStringAsync("/metrics"), "streamseg_frames_out_total");
                    Assert.True(second > first, $"frames_out did not move: {first} → {second}");
                }

                Assert.True(viewer.WaitForExit(30_000), "the viewer did not see the stream end");
                viewer.WaitForExit();
                probeOut = viewerOut.ToString().Trim();
                viewer.Dispose();
                viewer = null;
                if (!probeOut.StartsWith("h264", StringComparison.Ordinal))
                {
                    await Task.Delay(200);
                }
            }

            Assert.True(run.WaitForExit(60_000), "the run did not finish: " + stderr);
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, stderr.ToString());

            // RTSP: H.264 at the source's size; the viewer joined late, so it sees part of the 150 frames.
            string[] probe = probeOut.Split(',');
            Assert.True(probe.Length == 4, "the viewer never got the stream: " + probeOut + viewerErr);
            Assert.Equal("h264", probe[0]);
            Assert.Equal(("320", "240"), (probe[1], probe[2]));
            Assert.InRange(int.Parse(probe[3], CultureInfo.InvariantCulture), 20, 150);

            // MQTT: one message per frame, the frame schema, on <prefix>/<source>. The last ones may still be on their way.
            _ = Readiness.PollUntil(() => messages.Count(m => m.Contains("\"schema\":\"streamseg.frame/1\"", StringComparison.Ordinal)) >= 150, Readiness.Timeout);
            string[] frames = [.. messages.Where(m => m.Contains("\"schema\":\"streamseg.frame/1\"", StringComparison.Ordinal))];
            Assert.Equal(150, frames.Length);
            Assert.All(frames, m => Assert.StartsWith("streamseg/clip.avi ", m, StringComparison.Ordinal));

            // Files: nothing lost on a file run.
            Assert.Equal(150, File.ReadAllLines(dir.File("m.ndjson")).Length);
            Assert.Equal(150, Ffprobe.Probe(dir.File("o.mp4")).FrameCount);
            Assert.Contains("frames in 150, out 150, dropped 0", stdout.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            ChildProcess.Stop(run, viewer, subscriber);
            broker?.Dispose();
        }
    }
}
