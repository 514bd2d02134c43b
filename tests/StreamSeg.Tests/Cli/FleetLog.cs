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
    /// Gets the intervals in which one camera was published by two nodes at once. Each node's messages of a camera are
    /// cut into sessions where they pause for more than <paramref name="pause"/> (a camera may come back to a node
    /// later); two sessions of different nodes whose capture times overlap are two publishers at once.
    /// </summary>
    public List<(string Id, string Nodes, double Seconds)> Overlaps(TimeSpan? pause = null)
    {
        TimeSpan gap = pause ?? TimeSpan.FromSeconds(1.5);
        var overlaps = new List<(string Id, string Nodes, double Seconds)>();
        foreach (IGrouping<string, FleetMessage> camera in _messages.GroupBy(m => m.Id))
        {
            var sessions = new List<(string Node, DateTimeOffset First, DateTimeOffset Last)>();
            foreach (IGrouping<string, FleetMessage> node in camera.GroupBy(m => m.Node))
            {
                (string Node, DateTimeOffset First, DateTimeOffset Last)? open = null;
                foreach (FleetMessage m in node.OrderBy(m => m.Captured))
                {
                    if (open is { } o && m.Captured - o.Last <= gap)
                    {
                        open = (o.Node, o.First, m.Captured);
                        continue;
                    }

                    if (open is { } done)
                    {
                        sessions.Add(done);
                    }

                    open = (m.Node, m.Captured, m.Captured);
                }

                if (open is { } last)
                {
                    sessions.Add(last);
                }
            }

            for (int i = 0; i < sessions.Count; i++)
            {
                for (int j = i + 1; j < sessions.Count; j++)
                {
                    (string Node, DateTimeOffset First, DateTimeOffset Last) a = sessions[i], b = sessions[j];
                    if (a.Node != b.Node && a.First <= b.Last && b.First <= a.Last)
                    {
                        DateTimeOffset from = a.First > b.First ? a.First : b.First;
                        DateTimeOffset to = a.Last < b.Last ? a.Last : b.Last;
                        overlaps.Add((camera.Key, a.Node + "+" + b.Node, (to - from).TotalSeconds));
                    }
                }
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
