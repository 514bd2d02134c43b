using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg serve</c>'s per-stream counters on <c>/metrics</c>, labelled with the stream id.</summary>
public class ServeMetricsTests
{
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Metrics_carry_frames_in_out_and_drops_per_stream_until_it_is_removed()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("long.avi"), 160, 120, 3000);
        using ServeNode node = ServeNode.Start("--node", "n1");
        await node.AddAsync(new { id = "cam1", source = clip });
        await node.AddAsync(new { id = "cam2", source = clip });
        Assert.True(Readiness.PollUntil(() => ApiCounter(node, "cam1", "frames_out") >= 10 && ApiCounter(node, "cam2", "frames_out") >= 10, s_long), "streams did not run: " + node.StdErr);

        string metrics = await node.Client.GetStringAsync("metrics");
        foreach (string id in (string[])["cam1", "cam2"])
        {
            long framesIn = Metric(metrics, "streamseg_stream_frames_in_total", id);
            long framesOut = Metric(metrics, "streamseg_stream_frames_out_total", id);
            Assert.True(framesOut >= 10, metrics);
            Assert.True(framesIn >= framesOut, metrics);
            Assert.True(Metric(metrics, "streamseg_stream_frames_dropped_total", id) >= 0, metrics);

            // The API's counters are the same counters, read later: never behind the scrape.
            Assert.True(ApiCounter(node, id, "frames_out") >= framesOut);
        }

        (int status, _) = await node.SendAsync(HttpMethod.Delete, "api/streams/cam2");
        Assert.Equal(204, status);
        metrics = await node.Client.GetStringAsync("metrics");
        Assert.DoesNotContain("stream=\"cam2\"", metrics, StringComparison.Ordinal);
        Assert.True(Metric(metrics, "streamseg_stream_frames_in_total", "cam1") > 0, metrics);
        Assert.Equal(130, node.Interrupt());
    }

    private static long Metric(string metrics, string name, string stream)
    {
        Match m = Regex.Match(metrics, "^" + Regex.Escape(name) + @"\{[^}]*stream=""" + Regex.Escape(stream) + @"""[^}]*\} (\d+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} of {stream} not in /metrics:\n{metrics}");
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long ApiCounter(ServeNode node, string id, string name)
    {
        (int status, JsonElement body) = node.SendAsync(HttpMethod.Get, "api/streams/" + id).GetAwaiter().GetResult();
        return status == 200 ? body.GetProperty("counters").GetProperty(name).GetInt64() : -1;
    }
}
