using System.Diagnostics.Metrics;
using StreamSeg.Pipeline;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// Per-stream counters of <c>streamseg serve</c> on <c>/metrics</c>, tagged <c>stream</c> with the stream id:
/// <c>streamseg_stream_frames_in</c>, <c>streamseg_stream_frames_out</c> and <c>streamseg_stream_frames_dropped</c>
/// (frames dropped on the stream's own edges), read from each running stream's counters when scraped.
/// </summary>
/// <remarks>
/// On a meter named <see cref="PipelineMetrics.MeterName"/>, which the web view's Prometheus endpoint already exports.
/// Ids are the API's (no credentials: a URL is never an id). A stream removed stops being reported; Prometheus treats
/// a series that reappears later as a counter reset.
/// </remarks>
internal sealed class StreamEdgeMetrics : IDisposable
{
    private const string StreamTag = "stream";
    private readonly Meter _meter = new(PipelineMetrics.MeterName);
    private readonly Func<IReadOnlyList<ServedStream>> _streams;

    /// <summary>Creates the instruments over the streams that <paramref name="streams"/> returns at each scrape.</summary>
    public StreamEdgeMetrics(Func<IReadOnlyList<ServedStream>> streams)
    {
        _streams = streams;
        _meter.CreateObservableCounter("streamseg_stream_frames_in", () => Observe(static s => s.Live.FramesIn), "{frame}", "Frames captured, per stream.");
        _meter.CreateObservableCounter("streamseg_stream_frames_out", () => Observe(static s => s.Live.FramesOut), "{frame}", "Frames that reached the stream's sinks, per stream.");
        _meter.CreateObservableCounter("streamseg_stream_frames_dropped", () => Observe(static s => s.Live.Dropped), "{frame}", "Frames dropped on the stream's own edges, per stream.");
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    // Once per scrape and stream, not per frame.
    private List<Measurement<long>> Observe(Func<ServedStream, long> read)
    {
        IReadOnlyList<ServedStream> streams = _streams();
        var measurements = new List<Measurement<long>>(streams.Count);
        foreach (ServedStream stream in streams)
        {
            measurements.Add(new Measurement<long>(read(stream), new KeyValuePair<string, object?>(StreamTag, stream.Spec.Id)));
        }

        return measurements;
    }
}
