using System.Globalization;
using System.Text.Json;
using StreamSeg.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// <c>streamseg serve --cluster</c> as real processes on loopback with a real MQTT broker: cameras spread over the
/// nodes, move off a node killed with SIGKILL and off one stopped with SIGTERM, reach a node that joins, and are never
/// published by two nodes at once, their <c>seq</c> growing throughout.
/// </summary>
public class ServeClusterTests
{
    private static readonly TimeSpan s_phase = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _output;

    public ServeClusterTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [MosquittoFact]
    public async Task Cameras_spread_move_off_killed_and_stopped_nodes_and_reach_a_new_one_never_on_two_nodes_at_once()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("clip.avi"), 160, 120, 25, fps: 5);
        using MosquittoBroker broker = MosquittoBroker.Start(dir);
        Readiness.WaitForListener(broker.Port, "mosquitto");
        using FleetLog log = FleetLog.Start(broker.Port, "fleet");
        string mqtt = $"mqtt://127.0.0.1:{broker.Port}/fleet";
        int[] ports = [Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free()];
        int[] seeds = ports[..3];
        var nodes = new List<FleetNode>();
        try
        {
            await StartAsync(nodes, [("n1", ports[0]), ("n2", ports[1]), ("n3", ports[2])], seeds, mqtt);
            FleetNode n1 = nodes[0], n2 = nodes[1], n3 = nodes[2];
            string[] cameras = [.. Enumerable.Range(1, 9).Select(i => "cam" + i.ToString(CultureInfo.InvariantCulture))];

            // Any node takes an add for the whole cluster.
            for (int i = 0; i < cameras.Length; i++)
            {
                await nodes[i % 3].Serve.AddAsync(new { id = cameras[i], source = clip, loop = true });
            }

            // They spread: three each, and each camera publishes from the node the cluster says runs it.
            Dictionary<string, string> assignments = await WaitForClusterAsync(n3, 3, cameras, c => c.Members.Values.All(n => n == 3), "9 cameras spread 3/3/3");
            await WaitAsync(() => cameras.All(c => log.LastNode(c) == NameOf(nodes, assignments[c])), "every camera publishing from its assigned node");

            // A camera's counters, asked on a node that does not run it, come from its owner.
            string onN1 = cameras.First(c => assignments[c] == n1.Address);
            (int detailStatus, JsonElement detail) = await n2.Serve.SendAsync(HttpMethod.Get, "api/streams/" + onN1);
            Assert.Equal(200, detailStatus);
            Assert.Equal(n1.Address, detail.GetProperty("node").GetString());
            Assert.Equal("live", detail.GetProperty("state").GetString());
            Assert.True(detail.GetProperty("counters").GetProperty("frames_in").GetInt64() > 0, detail.ToString());

            // SIGKILL the oldest node (it hosts the shard coordinator and the reconciler singleton too).
            string[] orphans = [.. cameras.Where(c => assignments[c] == n1.Address)];
            DateTime killed = n1.Kill();
            await WaitAsync(() => orphans.All(c => log.FirstFromOther(c, "n1", killed) is not null), "every camera of the killed node publishing from a survivor");
            foreach (string c in orphans)
            {
                FleetMessage moved = log.FirstFromOther(c, "n1", killed)!;
                _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c}: n1 killed → {moved.Node} after {(moved.Received - killed).TotalSeconds:0.0} s"));
            }

            await WaitForClusterAsync(n2, 2, cameras, _ => true, "the killed node gone and every camera placed");

            // A fourth node joins (its seeds include the dead one) and takes a share.
            await StartAsync(nodes, [("n4", ports[3])], seeds, mqtt);
            FleetNode n4 = nodes[3];
            DateTime joined = DateTime.UtcNow;
            assignments = await WaitForClusterAsync(n4, 3, cameras, c => c.Members.GetValueOrDefault(n4.Address) >= 2, "the new node running 2 cameras or more");
            await WaitAsync(() => cameras.Any(c => log.PublishedFrom(c, "n4", joined)), "a camera publishing from the new node");

            // SIGTERM: the node hands its cameras over and exits 143.
            string[] leaving = [.. cameras.Where(c => assignments[c] == n2.Address)];
            Assert.NotEmpty(leaving);
            DateTime terminated = n2.Terminate();
            Assert.True(n2.Serve.Process.WaitForExit(60_000), "n2 did not exit within 60 s of SIGTERM: " + n2.Serve.StdErr);
            Assert.Equal(143, n2.Serve.Process.ExitCode);
            await WaitAsync(() => leaving.All(c => log.FirstFromOther(c, "n2", terminated) is not null), "every camera of the stopped node publishing from another node");
            foreach (string c in leaving)
            {
                FleetMessage moved = log.FirstFromOther(c, "n2", terminated)!;
                _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c}: n2 stopped → {moved.Node} after {(moved.Received - terminated).TotalSeconds:0.0} s"));
            }

            await WaitForClusterAsync(n3, 2, cameras, _ => true, "the stopped node gone and every camera placed");

            // Throughout: one publisher per camera at a time, and seq only grew (across moves too).
            Assert.Empty(log.Overlaps());
            Assert.Empty(log.SeqRegressions());
        }
        finally
        {
            foreach (FleetNode node in nodes)
            {
                node.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_node_that_has_not_joined_its_cluster_is_not_healthy_and_refuses_requests_with_503()
    {
        // Its only seed is a port where nothing listens: the node runs its pipeline but never joins.
        int http = Ports.Free();
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        string seed = "127.0.0.1:" + Ports.Free().ToString(CultureInfo.InvariantCulture);
        System.Diagnostics.Process process = CliRunner.Start(
            [
                "serve", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--threads", "1",
                "--http", "127.0.0.1:" + http.ToString(CultureInfo.InvariantCulture),
                "--cluster", "--cluster-port", Ports.Free().ToString(CultureInfo.InvariantCulture), "--seed", seed, "--cluster-timing", "loopback",
            ],
            stdout,
            stderr);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/"), Timeout = TimeSpan.FromSeconds(30) };
            HttpResponseMessage? health = null;
            Assert.True(
                Readiness.PollUntil(
                    () =>
                    {
                        try
                        {
                            health = client.GetAsync("health").GetAwaiter().GetResult();
                            return true;
                        }
                        catch (HttpRequestException)
                        {
                            return process.HasExited;
                        }
                    },
                    TimeSpan.FromSeconds(60)),
                "the web view did not come up: " + stderr);
            Assert.False(process.HasExited, "serve exited: " + stderr);

            // Polled a little: it stays unhealthy, and the API says why.
            for (int i = 0; i < 5; i++)
            {
                using HttpResponseMessage h = await client.GetAsync("health");
                Assert.Equal(503, (int)h.StatusCode);
                Assert.Contains("\"starting\"", await h.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                await Task.Delay(200);
            }

            // A request that is valid in itself (the source file exists).
            using HttpResponseMessage post = await client.PostAsync("api/streams", new StringContent($$"""{"id":"cam1","source":"{{TestPaths.Model("yolo-seg.onnx")}}"}"""));
            Assert.Equal(503, (int)post.StatusCode);
            using HttpResponseMessage list = await client.GetAsync("api/streams");
            Assert.Equal(503, (int)list.StatusCode);
            Assert.Contains("not up in the cluster", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            ChildProcess.Stop(process);
        }
    }

    private static string? NameOf(List<FleetNode> nodes, string address) => nodes.FirstOrDefault(n => n.Address == address)?.Name;

    private static async Task StartAsync(List<FleetNode> nodes, (string Name, int Port)[] which, int[] seeds, string mqtt)
    {
        Task<FleetNode>[] starts = [.. which.Select(w => Task.Run(() => FleetNode.Start(w.Name, w.Port, seeds, mqtt)))];
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            // The nodes that did start are stopped with the others, whatever failed.
            nodes.AddRange(starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
    }

    private static async Task<Dictionary<string, string>> WaitForClusterAsync(
        FleetNode asked,
        int members,
        string[] cameras,
        Func<(Dictionary<string, int> Members, Dictionary<string, string> Assignments), bool> condition,
        string what)
    {
        DateTime deadline = DateTime.UtcNow + s_phase;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            (Dictionary<string, int> Members, Dictionary<string, string> Assignments) state = await asked.ClusterAsync();
            last = string.Join(", ", state.Members.Select(m => $"{m.Key}: {m.Value}")) + " | " + string.Join(", ", state.Assignments.Select(a => $"{a.Key}→{a.Value}"));
            if (state.Members.Count == members
                && cameras.All(c => state.Assignments.ContainsKey(c) && state.Members.ContainsKey(state.Assignments[c]))
                && condition(state))
            {
                return state.Assignments;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"not within {s_phase.TotalSeconds} s: {what}; the cluster last said {last}");
        return null!;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + s_phase;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {s_phase.TotalSeconds} s: {what}");
            await Task.Delay(100);
        }
    }
}
