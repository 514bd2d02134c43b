using System.Diagnostics.Metrics;
using StreamSeg.Capture;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Publishes a run's counters and latencies through <see cref="System.Diagnostics.Metrics"/> under the meter
/// <see cref="MeterName"/>, for any listener (the web view's Prometheus endpoint, <c>dotnet-counters</c>, an OTLP exporter).
/// </summary>
/// <remarks>
/// <para>Instruments: counters <c>streamseg_frames_in</c> and <c>streamseg_frames_out</c>; the observable counter
/// <c>streamseg_frames_dropped</c> (tag <c>edge</c>, read from <see cref="Edge.Dropped"/>; frames a source lost before
/// the pipeline are reported as edge <c>source-internal</c>); histograms <c>streamseg_stage_duration</c> (ms, tag
/// <c>stage</c>) and <c>streamseg_end_to_end_latency</c> (ms, capture to sinks); and the observable gauge
/// <c>streamseg_edge_queue_depth</c> (tag <c>edge</c>).</para>
/// <para><see cref="PipelineStats"/> records into this object when it is given one; without listeners recording costs
/// next to nothing and allocates nothing. Edge tags are edge names with any URL credentials redacted (source ids are
/// already redacted; this keeps a hand-written id safe too). Dispose it after the run to unpublish the meter.</para>
/// <para>Example: <c>using var metrics = new PipelineMetrics(); var stats = new PipelineStats(metrics);</c>.</para>
/// </remarks>
public sealed class PipelineMetrics : IDisposable
{
    /// <summary>The name of the meter every StreamSeg instrument belongs to.</summary>
    public const string MeterName = "StreamSeg";

    private const string SourceInternalEdge = "source-internal";
    private static readonly KeyValuePair<string, object?>[] s_stageTags = CreateStageTags();

    // Bucket bounds in milliseconds, from a fast CPU stage to a stalled stream.
    private static readonly double[] s_buckets = [0.5, 1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000];

    private readonly Meter _meter;
    private readonly Counter<long> _framesIn;
    private readonly Counter<long> _framesOut;
    private readonly Counter<long> _reconnects;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _endToEnd;
    private readonly List<(Edge Edge, KeyValuePair<string, object?> Tag)> _edges = [];
    private Func<long>? _sourceDrops;

    /// <summary>Creates the instruments, on a meter from <paramref name="meterFactory"/> when one is given (dependency injection), else on a meter of its own.</summary>
    public PipelineMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets };
        _framesIn = _meter.CreateCounter<long>("streamseg_frames_in", "{frame}", "Frames captured from the sources.");
        _framesOut = _meter.CreateCounter<long>("streamseg_frames_out", "{frame}", "Frames that reached the sinks.");
        _stageDuration = _meter.CreateHistogram("streamseg_stage_duration", "ms", "Time one frame spent in one stage.", tags: null, advice);
        _endToEnd = _meter.CreateHistogram("streamseg_end_to_end_latency", "ms", "Time from capture to the sinks.", tags: null, advice);
        _meter.CreateObservableCounter("streamseg_frames_dropped", ObserveDropped, "{frame}", "Frames dropped, per edge.");
        _meter.CreateObservableGauge("streamseg_edge_queue_depth", ObserveDepth, "{frame}", "Frames queued on an edge now.");
        _reconnects = _meter.CreateCounter<long>("streamseg_source_reconnects", "{reconnect}", "Times a live source came back after going offline.");
    }

    /// <summary>Gets the meter (tests listen to this instance only).</summary>
    internal Meter Meter => _meter;

    /// <summary>Registers an edge whose drops and depth are observed.</summary>
    public void AddEdge(Edge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var tag = new KeyValuePair<string, object?>("edge", UrlRedactor.Redact(edge.Name));
        lock (_edges)
        {
            _edges.Add((edge, tag));
        }
    }

    /// <summary>Counts one captured frame.</summary>
    public void CountIn() => _framesIn.Add(1);

    /// <summary>Counts one reconnect of a live source.</summary>
    public void CountReconnect() => _reconnects.Add(1);

    /// <summary>Counts one frame out and records its end-to-end latency (negative: unknown, not recorded).</summary>
    public void CountOut(double endToEndMs)
    {
        _framesOut.Add(1);
        if (endToEndMs >= 0)
        {
            _endToEnd.Record(endToEndMs);
        }
    }

    /// <summary>Records one stage's time for one frame.</summary>
    public void RecordStage(PipelineStage stage, double ms) => _stageDuration.Record(ms, s_stageTags[(int)stage]);

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    /// <summary>Reports frames lost inside sources (read by <paramref name="read"/>) as the edge <c>source-internal</c>.</summary>
    internal void ObserveSourceDrops(Func<long> read) => _sourceDrops = read;

    private IEnumerable<Measurement<long>> ObserveDropped()
    {
        // Called on the listener's collection thread, never per frame, so a small list is fine here.
        var measurements = new List<Measurement<long>>();
        lock (_edges)
        {
            foreach ((Edge edge, KeyValuePair<string, object?> tag) in _edges)
            {
                measurements.Add(new Measurement<long>(edge.Dropped, tag));
            }
        }

        if (_sourceDrops is { } read)
        {
            measurements.Add(new Measurement<long>(read(), new KeyValuePair<string, object?>("edge", SourceInternalEdge)));
        }

        return measurements;
    }

    private IEnumerable<Measurement<int>> ObserveDepth()
    {
        var measurements = new List<Measurement<int>>();
        lock (_edges)
        {
            foreach ((Edge edge, KeyValuePair<string, object?> tag) in _edges)
            {
                measurements.Add(new Measurement<int>(edge.Depth, tag));
            }
        }

        return measurements;
    }

    private static KeyValuePair<string, object?>[] CreateStageTags()
    {
        var tags = new KeyValuePair<string, object?>[PipelineStageInfo.Count];
        for (int s = 0; s < tags.Length; s++)
        {
            tags[s] = new KeyValuePair<string, object?>("stage", PipelineStageInfo.Name((PipelineStage)s));
        }

        return tags;
    }
}
