using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// Every frame message of <c>&lt;prefix&gt;/#</c> on a broker, as <c>mosquitto_sub</c> receives it, with what a cluster
/// test asks of them: who publishes a camera, when a camera first came from another node, whether two nodes ever
/// published one camera at once, whether its seq only grew.
/// </summary>
internal sealed class FleetLog : IDisposable
{
    private readonly ConcurrentQueue<FleetMessage> _messages = new();
    private readonly string _prefix;
    private volatile bool _subscribed;
    private Process? _process;

    private FleetLog(string prefix)
    {
        _prefix = prefix + "/";
    }

    /// <summary>Subscribes to <c><paramref name="prefix"/>/#</c> on the broker at <paramref name="port"/> and waits until the subscription holds.</summary>
    public static FleetLog Start(int port, string prefix)
    {
        var log = new FleetLog(prefix);
        log._process = ChildProcess.Start("stdbuf", ["-oL", MosquittoFactAttribute.Find("mosquitto_sub")!, "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", prefix + "/#", "-v", "-d"], log.OnLine);
        Assert.True(Readiness.PollUntil(() => log._subscribed, Readiness.Timeout), "mosquitto_sub did not subscribe");
        return log;
    }

    /// <summary>Gets the frame messages so far, in arrival order.</summary>
    public List<FleetMessage> Snapshot() => [.. _messages];

    /// <summary>Gets the node that published camera <paramref name="id"/>'s latest message, or null.</summary>
    public string? LastNode(string id) => _messages.LastOrDefault(m => m.Id == id)?.Node;

    /// <summary>Gets the first message of <paramref name="id"/> that arrived after <paramref name="since"/> from a node other than <paramref name="notFrom"/>, or null.</summary>
    public FleetMessage? FirstFromOther(string id, string notFrom, DateTime since) =>
        _messages.FirstOrDefault(m => m.Id == id && m.Node != notFrom && m.Received >= since);

    /// <summary>Gets whether camera <paramref name="id"/> published from <paramref name="node"/> after <paramref name="since"/>.</summary>
    public bool PublishedFrom(string id, string node, DateTime since) => _messages.Any(m => m.Id == id && m.Node == node && m.Received >= since);

    /// <summary>
    /// Gets the times one camera was published by two nodes at once: in capture order, a node's messages after another
    /// node's (each node of a camera must publish it in one unbroken run), with the overlap in seconds.
    /// </summary>
    public List<string> Overlaps()
    {
        var overlaps = new List<string>();
        foreach (IGrouping<string, FleetMessage> camera in _messages.GroupBy(m => m.Id))
        {
            var runs = new List<(string Node, DateTimeOffset First, DateTimeOffset Last)>();
            foreach (FleetMessage m in camera.OrderBy(m => m.Captured))
            {
                if (runs.Count > 0 && runs[^1].Node == m.Node)
                {
                    runs[^1] = (m.Node, runs[^1].First, m.Captured);
                }
                else
                {
                    runs.Add((m.Node, m.Captured, m.Captured));
                }
            }

            foreach (IGrouping<string, (string Node, DateTimeOffset First, DateTimeOffset Last)> node in runs.GroupBy(r => r.Node).Where(g => g.Count() > 1))
            {
                double seconds = (node.Last().First - node.First().Last).TotalSeconds;
                overlaps.Add(string.Create(CultureInfo.InvariantCulture, $"{camera.Key}: {node.Key} published again after another node took over (span {seconds:0.00} s)"));
            }
        }

        return overlaps;
    }

    /// <summary>Gets, per camera, where seq did not grow from one message to the next in capture order.</summary>
    public List<string> SeqRegressions()
    {
        var bad = new List<string>();
        foreach (IGrouping<string, FleetMessage> camera in _messages.GroupBy(m => m.Id))
        {
            FleetMessage? previous = null;
            foreach (FleetMessage m in camera.OrderBy(m => m.Captured))
            {
                if (previous is not null && m.Seq <= previous.Seq)
                {
                    bad.Add(string.Create(CultureInfo.InvariantCulture, $"{m.Id}: seq {m.Seq} from {m.Node} after {previous.Seq} from {previous.Node}"));
                }

                previous = m;
            }
        }

        return bad;
    }

    public void Dispose() => ChildProcess.Stop(_process);

    private void OnLine(string line)
    {
        if (line.StartsWith("Subscribed (mid", StringComparison.Ordinal))
        {
            _subscribed = true;
            return;
        }

        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (!line.StartsWith(_prefix, StringComparison.Ordinal) || space < 0)
        {
            return;
        }

        DateTime received = DateTime.UtcNow;
        using JsonDocument d = JsonDocument.Parse(line.AsMemory(space + 1));
        JsonElement root = d.RootElement;
        if (root.TryGetProperty("seq", out JsonElement seq))
        {
            // Frame messages only: health events carry no seq.
            _messages.Enqueue(new FleetMessage(
                root.GetProperty("id").GetString()!,
                root.GetProperty("node").GetString()!,
                seq.GetInt64(),
                root.GetProperty("capture_time").GetDateTimeOffset(),
                received));
        }
    }
}
