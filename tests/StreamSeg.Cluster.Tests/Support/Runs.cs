namespace StreamSeg.Cluster.Tests.Support;

/// <summary>Checks over the start/stop records of all nodes of a test cluster.</summary>
internal static class Runs
{
    /// <summary>Fails when a stream ran on two nodes at once (one interval starts before the previous one stopped).</summary>
    public static void AssertNeverTwice(IEnumerable<TestNode> nodes)
    {
        foreach (IGrouping<string, StreamRun> stream in nodes.SelectMany(n => n.Streams.Runs).GroupBy(r => r.Id))
        {
            StreamRun? previous = null;
            foreach (StreamRun run in stream.OrderBy(r => r.Start))
            {
                if (previous is not null)
                {
                    Assert.True(
                        previous.Stop is not null && previous.Stop <= run.Start,
                        $"{stream.Key} ran on {previous.Node} ({previous.Start:HH:mm:ss.fff}–{previous.Stop:HH:mm:ss.fff}) and on {run.Node} from {run.Start:HH:mm:ss.fff}");
                }

                previous = run;
            }
        }
    }

    /// <summary>Gets the ids each node runs now, by node name.</summary>
    public static string Describe(IEnumerable<TestNode> nodes) =>
        string.Join("; ", nodes.Select(n => $"{n.Name}: [{string.Join(",", n.Streams.RunningIds.Order())}]"));

    /// <summary>Gets whether every id runs on exactly one of <paramref name="nodes"/>.</summary>
    public static bool EachRunsOnce(IEnumerable<TestNode> nodes, IEnumerable<string> ids)
    {
        List<string> running = nodes.SelectMany(n => n.Streams.RunningIds).ToList();
        return ids.All(id => running.Count(r => r == id) == 1);
    }
}
