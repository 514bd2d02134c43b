using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamSeg.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// <c>./run.sh cluster-bench</c>: failover, rebalance and drain figures of <c>streamseg serve --cluster</c> processes on
/// loopback (three nodes, 12 looping cameras, <c>STREAMSEG_CLUSTER_BENCH_KILLS</c> SIGKILLs of a random node, 10 by
/// default), then one node's add rate and what adds and removes cost the other streams' latency. Writes a Markdown
/// section to <c>STREAMSEG_CLUSTER_BENCH_OUT</c>.
/// </summary>
public class ClusterBench
{
    private const int Streams = 12;
    private static readonly TimeSpan s_phase = TimeSpan.FromSeconds(120);
    private readonly ITestOutputHelper _output;

    public ClusterBench(ITestOutputHelper output)
    {
        _output = output;
    }

    [ClusterBenchFact]
    public async Task Failover_rebalance_drain_and_one_node_figures()
    {
        int kills = int.Parse(Environment.GetEnvironmentVariable("STREAMSEG_CLUSTER_BENCH_KILLS") ?? "10", CultureInfo.InvariantCulture);
        string outFile = Environment.GetEnvironmentVariable("STREAMSEG_CLUSTER_BENCH_OUT") ?? Path.Combine(Path.GetTempPath(), "cluster-bench.md");
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("clip.avi"), 160, 120, 25, fps: 5);
        using MosquittoBroker broker = MosquittoBroker.Start(dir);
        Readiness.WaitForListener(broker.Port, "mosquitto");
        using FleetLog log = FleetLog.Start(broker.Port, "fleet");
        string mqtt = $"mqtt://127.0.0.1:{broker.Port}/fleet";
        var report = new StringBuilder();
        var live = new List<FleetNode>();
        var all = new List<FleetNode>();
        var failovers = new List<double>();
        var breakdown = new List<string>();
        var rebalances = new List<double>();
        var drains = new List<double>();
        string[] cameras = [.. Enumerable.Range(1, Streams).Select(i => "cam" + i.ToString("00", CultureInfo.InvariantCulture))];
        int next = 1;
        try
        {
            int[] ports = [Ports.Free(), Ports.Free(), Ports.Free()];
            FleetNode[] first = await Task.WhenAll(ports.Select(p => Task.Run(() => FleetNode.Start(Name(ref next), p, ports, mqtt, "--log-format", "json"))));
            live.AddRange(first);
            all.AddRange(first);
            for (int i = 0; i < cameras.Length; i++)
            {
                await live[i % 3].Serve.AddAsync(new { id = cameras[i], source = clip, loop = true });
            }

            var random = new Random(11);
            for (int k = 0; k < kills; k++)
            {
                Dictionary<string, string> assignments = await WaitSteadyAsync(live, log, cameras);
                FleetNode victim = live[random.Next(live.Count)];
                string[] orphans = [.. cameras.Where(c => assignments[c] == victim.Address)];
                DateTime killed = victim.Kill();
                live.Remove(victim);
                await WaitAsync(() => orphans.All(c => log.FirstFromOther(c, victim.Name, killed) is not null), "the killed node's cameras publishing again");
                var times = orphans.Select(c => (log.FirstFromOther(c, victim.Name, killed)!.Received - killed).TotalSeconds).ToList();
                failovers.AddRange(times);
                string port = victim.ClusterPort.ToString(CultureInfo.InvariantCulture);
                breakdown.Add(string.Create(CultureInfo.InvariantCulture, $"| {k + 1} | {victim.Name} | {orphans.Length} | {Since(live, killed, m => m.Contains("unreachable", StringComparison.OrdinalIgnoreCase) && m.Contains(port, StringComparison.Ordinal))} | {Since(live, killed, m => m.Contains("SBR took decision", StringComparison.Ordinal))} | {Since(live, killed, m => m.Contains("Leader is removing", StringComparison.Ordinal) && m.Contains(port, StringComparison.Ordinal))} | {Since(live, killed, m => m.Contains("started on this node", StringComparison.Ordinal) && orphans.Any(o => m.Contains(o, StringComparison.Ordinal)))} | {times.Min():0.0} | {times.Max():0.0} |"));
                _output.WriteLine(breakdown[^1]);

                // A replacement joins: how long until the streams are balanced again.
                int port4 = Ports.Free();
                FleetNode joiner = FleetNode.Start(Name(ref next), port4, live.Select(n => n.ClusterPort), mqtt, "--log-format", "json");
                live.Add(joiner);
                all.Add(joiner);
                await WaitSteadyAsync(live, log, cameras);
                DateTime balanced = DateTime.UtcNow;
                rebalances.Add((balanced - LogTime(joiner, "cluster: up as")).TotalSeconds);
            }

            // SIGTERM: the gap each camera sees between its last message from the leaving node and its first from the next.
            Dictionary<string, string> before = await WaitSteadyAsync(live, log, cameras);
            FleetNode leaving = live[0];
            string[] handed = [.. cameras.Where(c => before[c] == leaving.Address)];
            DateTime terminated = leaving.Terminate();
            Assert.True(leaving.Serve.Process.WaitForExit(60_000), "the node did not exit within 60 s of SIGTERM");
            double exitSeconds = (DateTime.UtcNow - terminated).TotalSeconds;
            live.Remove(leaving);
            await WaitAsync(() => handed.All(c => log.FirstFromOther(c, leaving.Name, terminated) is not null), "the stopped node's cameras publishing again");
            List<FleetMessage> messages = log.Snapshot();
            foreach (string c in handed)
            {
                DateTime lastOld = messages.Where(m => m.Id == c && m.Node == leaving.Name).Max(m => m.Received);
                drains.Add((log.FirstFromOther(c, leaving.Name, terminated)!.Received - lastOld).TotalSeconds);
            }

            List<(string Id, string Nodes, double Seconds)> overlaps = log.Overlaps();
            int regressions = log.SeqRegressions().Count;
            report.AppendLine(CultureInfo.InvariantCulture, $"## Cluster failover (issue 11): `./run.sh cluster-bench`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"3 `streamseg serve --cluster --cluster-timing loopback` processes on 127.0.0.1 (fixture model yolo-seg.onnx, CPU, 1 thread each), {Streams} cameras (a looping 160×120 5 fps file read live), mosquitto, the figures seen by an MQTT subscriber. {kills} SIGKILLs of a random node, each followed by a replacement node joining.");
            report.AppendLine();
            report.AppendLine("| figure | n | p50 | p95 | max |");
            report.AppendLine("|---|---|---|---|---|");
            Row(report, "failover per orphaned camera: kill → first message from the new owner (s)", failovers);
            Row(report, "rebalance after a join: new node up → 3 nodes balanced, every camera publishing from its owner (s)", rebalances);
            Row(report, "drain gap after SIGTERM: last message from the leaving node → first from the next owner (s)", drains);
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Intervals with two publishers for one camera: {overlaps.Count}{(overlaps.Count > 0 ? " (" + string.Join("; ", overlaps.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Id} {o.Nodes} {o.Seconds:0.00} s"))) + ")" : string.Empty)}. Seq regressions (a camera's seq not growing in capture order): {regressions}. The SIGTERMed node exited {exitSeconds:0.0} s after the signal.");
            report.AppendLine();
            report.AppendLine("Where a failover's time goes (seconds after the kill, first survivor's log line): unreachable → split-brain resolver's down decision → node removed → the first orphan's entity started on a survivor → first/last orphan's first message.");
            report.AppendLine();
            report.AppendLine("| kill | node | orphans | unreachable | SBR down | removed | entity started | first msg | last msg |");
            report.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (string line in breakdown)
            {
                report.AppendLine(line);
            }

            report.AppendLine();
        }
        finally
        {
            foreach (FleetNode node in all)
            {
                node.Dispose();
            }
        }

        await OneNodeAsync(clip, mqtt, log, report);
        await File.AppendAllTextAsync(outFile, report.ToString());
        _output.WriteLine(report.ToString());
    }

    private static async Task OneNodeAsync(string clip, string mqtt, FleetLog log, StringBuilder report)
    {
        using ServeNode node = ServeNode.Start("--node", "solo", "--mqtt", mqtt);
        string[] steady = ["s1", "s2", "s3", "s4"];
        foreach (string id in steady)
        {
            await node.AddAsync(new { id, source = clip, loop = true });
        }

        await Task.Delay(5000);
        DateTime quietFrom = DateTime.UtcNow;
        await Task.Delay(10_000);
        DateTime churnFrom = DateTime.UtcNow;
        int cycles = 0;
        while (DateTime.UtcNow - churnFrom < TimeSpan.FromSeconds(10))
        {
            await node.AddAsync(new { id = "churn", source = clip, loop = true });
            (int status, _) = await node.SendAsync(HttpMethod.Delete, "api/streams/churn");
            Assert.Equal(204, status);
            cycles++;
        }

        DateTime churnTo = DateTime.UtcNow;
        await Task.Delay(10_000);
        DateTime quietAgainTo = DateTime.UtcNow;

        // Streams added per second: 16 adds back to back.
        DateTime burst = DateTime.UtcNow;
        for (int i = 0; i < 16; i++)
        {
            await node.AddAsync(new { id = "b" + i.ToString(CultureInfo.InvariantCulture), source = clip, loop = true });
        }

        double addRate = 16 / (DateTime.UtcNow - burst).TotalSeconds;
        List<FleetMessage> messages = [.. log.Snapshot().Where(m => m.Node == "solo" && steady.Contains(m.Id))];
        (List<double> Latency, double MaxGap) quiet = Window(messages, quietFrom, churnFrom);
        (List<double> Latency, double MaxGap) churn = Window(messages, churnFrom, churnTo);
        (List<double> Latency, double MaxGap) after = Window(messages, churnTo, quietAgainTo);
        report.AppendLine("### One node (`streamseg serve`, no cluster)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Streams added per second (16 looping-file streams POSTed back to back onto 4 running): {addRate:0.0}/s. The cost of adds and removes to the others: 4 steady streams' latency (capture → MQTT subscriber, ms) and their longest gap between two messages, 10 s quiet, 10 s in which a fifth stream was added and deleted {cycles} times, 10 s quiet again:");
        report.AppendLine();
        report.AppendLine("| window | messages | latency p50 | p95 | max | longest gap (ms) |");
        report.AppendLine("|---|---|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| quiet | {quiet.Latency.Count} | {Percentile(quiet.Latency, 50):0} | {Percentile(quiet.Latency, 95):0} | {quiet.Latency.DefaultIfEmpty().Max():0} | {quiet.MaxGap:0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| add/remove churn | {churn.Latency.Count} | {Percentile(churn.Latency, 50):0} | {Percentile(churn.Latency, 95):0} | {churn.Latency.DefaultIfEmpty().Max():0} | {churn.MaxGap:0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| quiet again | {after.Latency.Count} | {Percentile(after.Latency, 50):0} | {Percentile(after.Latency, 95):0} | {after.Latency.DefaultIfEmpty().Max():0} | {after.MaxGap:0} |");
        report.AppendLine();
    }

    private static (List<double> Latency, double MaxGap) Window(List<FleetMessage> messages, DateTime from, DateTime to)
    {
        var inWindow = messages.Where(m => m.Received >= from && m.Received < to).ToList();
        double maxGap = 0;
        foreach (IGrouping<string, FleetMessage> stream in inWindow.GroupBy(m => m.Id))
        {
            var times = stream.Select(m => m.Received).Order().ToList();
            for (int i = 1; i < times.Count; i++)
            {
                maxGap = Math.Max(maxGap, (times[i] - times[i - 1]).TotalMilliseconds);
            }
        }

        return ([.. inWindow.Select(m => (m.Received - m.Captured.UtcDateTime).TotalMilliseconds)], maxGap);
    }

    private static string Name(ref int next) => "n" + (next++).ToString(CultureInfo.InvariantCulture);

    private static void Row(StringBuilder report, string what, List<double> values) =>
        report.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {values.Count} | {Percentile(values, 50):0.0} | {Percentile(values, 95):0.0} | {values.DefaultIfEmpty().Max():0.0} |");

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        int rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    /// <summary>Gets the time of <paramref name="node"/>'s first log line containing <paramref name="text"/>.</summary>
    private static DateTime LogTime(FleetNode node, string text)
    {
        foreach (string line in node.Serve.StdErr.Split('\n'))
        {
            if (line.StartsWith('{') && line.Contains(text, StringComparison.Ordinal))
            {
                using JsonDocument d = JsonDocument.Parse(line);
                return d.RootElement.GetProperty("timestamp").GetDateTime().ToUniversalTime();
            }
        }

        throw new InvalidOperationException($"{node.Name} never logged '{text}'");
    }

    /// <summary>Gets the seconds from <paramref name="after"/> to the first log line of <paramref name="nodes"/> matching <paramref name="match"/> ("–" when none).</summary>
    private static string Since(List<FleetNode> nodes, DateTime after, Func<string, bool> match)
    {
        DateTime? first = null;
        foreach (FleetNode node in nodes)
        {
            foreach (string line in node.Serve.StdErr.Split('\n'))
            {
                if (!line.StartsWith('{'))
                {
                    continue;
                }

                using JsonDocument d = JsonDocument.Parse(line);
                if (!d.RootElement.TryGetProperty("timestamp", out JsonElement ts) || !d.RootElement.TryGetProperty("message", out JsonElement message))
                {
                    continue;
                }

                DateTime at = ts.GetDateTime().ToUniversalTime();
                if (at >= after && (first is null || at < first) && match(message.GetString() ?? string.Empty))
                {
                    first = at;
                }
            }
        }

        return first is { } t ? (t - after).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "–";
    }

    private static async Task<Dictionary<string, string>> WaitSteadyAsync(List<FleetNode> live, FleetLog log, string[] cameras)
    {
        DateTime deadline = DateTime.UtcNow + s_phase;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            (Dictionary<string, int> members, Dictionary<string, string> assignments) = await live[0].ClusterAsync();
            last = string.Join(", ", members.Select(m => $"{m.Key}: {m.Value}"));
            if (members.Count == live.Count
                && members.Values.Max() - members.Values.Min() <= 1
                && cameras.All(c => assignments.TryGetValue(c, out string? a) && live.Any(n => n.Address == a && log.LastNode(c) == n.Name)))
            {
                return assignments;
            }

            await Task.Delay(200);
        }

        Assert.Fail("the cluster did not settle within 120 s: " + last);
        return null!;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + s_phase;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {s_phase.TotalSeconds} s: {what}");
            await Task.Delay(50);
        }
    }
}
