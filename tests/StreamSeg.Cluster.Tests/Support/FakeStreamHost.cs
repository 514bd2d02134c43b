using StreamSeg.Serving;

namespace StreamSeg.Cluster.Tests.Support;

/// <summary>
/// A node's pipeline as the cluster layer sees it: it records every start and stop with its time and refuses what a
/// real node refuses (a source it cannot open, marked <c>missing:</c> here; a running id; a full node).
/// </summary>
internal sealed class FakeStreamHost : IStreamHost, IStreamCounterSource
{
    private readonly Lock _lock = new();
    private readonly List<StreamRun> _runs = [];
    private DateTime? _killedAt;

    public FakeStreamHost(string nodeName, int maxStreams)
    {
        NodeName = nodeName;
        MaxStreams = maxStreams;
    }

    public string NodeName { get; }

    /// <summary>Gets or sets the frames-in count this node reports for each stream it runs.</summary>
    public long FramesIn { get; set; }

    /// <inheritdoc/>
    public StreamCountersSnapshot? GetCounters(string id) =>
        RunningIds.Contains(id) ? new StreamCountersSnapshot("live", 25, FramesIn, FramesIn - 1, 1, 0, 10, 20, null) : null;

    public int MaxStreams { get; }

    public IReadOnlyCollection<string> RunningIds
    {
        get
        {
            lock (_lock)
            {
                return _runs.Where(r => r.Stop is null).Select(r => r.Id).ToList();
            }
        }
    }

    public IReadOnlyList<StreamRun> Runs
    {
        get
        {
            lock (_lock)
            {
                return _runs.ToList();
            }
        }
    }

    public async ValueTask StartAsync(StreamSpec spec, CancellationToken cancellationToken = default)
    {
        // A pipeline start takes a moment; starts and stops interleave as they would.
        await Task.Delay(20, cancellationToken);
        lock (_lock)
        {
            if (_killedAt is not null)
            {
                throw new InvalidOperationException($"{NodeName} is dead");
            }

            if (spec.Source.StartsWith("missing:", StringComparison.Ordinal))
            {
                throw new StreamRequestException(StreamRequestError.Invalid, $"source: no such file '{spec.Source}'");
            }

            if (_runs.Any(r => r.Id == spec.Id && r.Stop is null))
            {
                throw new StreamRequestException(StreamRequestError.Duplicate, $"stream '{spec.Id}' runs already");
            }

            if (MaxStreams > 0 && _runs.Count(r => r.Stop is null) >= MaxStreams)
            {
                throw new StreamRequestException(StreamRequestError.Full, $"{NodeName} runs --max-streams {MaxStreams} streams");
            }

            _runs.Add(new StreamRun(NodeName, spec.Id, DateTime.UtcNow, null));
        }
    }

    public async ValueTask<bool> StopAsync(string id, CancellationToken cancellationToken = default)
    {
        // Finalising outputs (MP4 trailer, NDJSON flush) takes a while: a hand-off that did not wait for it would overlap.
        await Task.Delay(300, cancellationToken);
        lock (_lock)
        {
            int index = _runs.FindIndex(r => r.Id == id && r.Stop is null);
            if (index < 0)
            {
                return false;
            }

            _runs[index] = _runs[index] with { Stop = DateTime.UtcNow };
            return true;
        }
    }

    /// <summary>What kill -9 does to a node's streams: they all end now, and nothing starts here again.</summary>
    public DateTime Kill()
    {
        lock (_lock)
        {
            DateTime now = DateTime.UtcNow;
            _killedAt = now;
            for (int i = 0; i < _runs.Count; i++)
            {
                if (_runs[i].Stop is null)
                {
                    _runs[i] = _runs[i] with { Stop = now };
                }
            }

            return now;
        }
    }
}
