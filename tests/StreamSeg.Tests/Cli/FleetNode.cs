using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// One <c>streamseg serve --cluster</c> process of a test fleet on loopback (loopback failure-detection timings), its
/// MQTT messages stamped with <see cref="Name"/>; killed on dispose.
/// </summary>
internal sealed class FleetNode : IDisposable
{
    private FleetNode(string name, int clusterPort, ServeNode serve)
    {
        Name = name;
        ClusterPort = clusterPort;
        Serve = serve;
    }

    /// <summary>Gets the node's name (<c>--node</c>): the <c>node</c> of its MQTT messages.</summary>
    public string Name { get; }

    public int ClusterPort { get; }

    public ServeNode Serve { get; }

    /// <summary>Gets the node's cluster address, as <c>/api/cluster</c> names it.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"akka.tcp://streamseg@127.0.0.1:{ClusterPort}");

    /// <summary>Starts node <paramref name="name"/> on <paramref name="clusterPort"/> with <paramref name="seedPorts"/> (the first seed forms the cluster when it is this node) and waits until it serves.</summary>
    public static FleetNode Start(string name, int clusterPort, IEnumerable<int> seedPorts, string mqttUrl, params string[] extraArgs)
    {
        var args = new List<string>
        {
            "--node", name, "--mqtt", mqttUrl,
            "--cluster", "--cluster-port", clusterPort.ToString(CultureInfo.InvariantCulture), "--cluster-timing", "loopback",
        };
        foreach (int seed in seedPorts)
        {
            args.Add("--seed");
            args.Add(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{seed}"));
        }

        args.AddRange(extraArgs);
        return new FleetNode(name, clusterPort, ServeNode.Start([.. args]));
    }

    /// <summary>Kills the process with SIGKILL (nothing handed over, the cluster must notice) and returns when.</summary>
    public DateTime Kill()
    {
        DateTime at = DateTime.UtcNow;
        Serve.Process.Kill();
        Assert.True(Serve.Process.WaitForExit(10_000), $"{Name} did not die of SIGKILL");
        return at;
    }

    /// <summary>Sends SIGTERM and returns when.</summary>
    public DateTime Terminate()
    {
        DateTime at = DateTime.UtcNow;
        using Process kill = Process.Start("kill", $"-TERM {Serve.Process.Id}");
        kill.WaitForExit();
        return at;
    }

    /// <summary>Gets <c>GET /api/cluster</c>: each member's stream count by address, and the assignments (camera → address).</summary>
    public async Task<(Dictionary<string, int> Members, Dictionary<string, string> Assignments)> ClusterAsync()
    {
        (int status, JsonElement body) = await Serve.SendAsync(HttpMethod.Get, "api/cluster");
        Assert.True(status == 200, $"GET /api/cluster on {Name} gave {status}: {body}");
        var members = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonElement m in body.GetProperty("members").EnumerateArray())
        {
            if (m.GetProperty("status").GetString() == "up")
            {
                members[m.GetProperty("address").GetString()!] = m.GetProperty("streams").GetInt32();
            }
        }

        var assignments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty a in body.GetProperty("assignments").EnumerateObject())
        {
            assignments[a.Name] = a.Value.GetString()!;
        }

        return (members, assignments);
    }

    public void Dispose() => Serve.Dispose();
}
