using System.Diagnostics.Metrics;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Pipeline;

public class PipelineMetricsTests
{
    [Fact]
    public void PipelineStats_WithMetrics_RecordsCountersHistogramsAndEdgeObservations()
    {
        using var metrics = new PipelineMetrics();
        var stats = new PipelineStats(metrics);
        var seen = new List<(string Instrument, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add((i.Name, v, tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : null)));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => seen.Add((i.Name, v, tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : null)));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Add((i.Name, v, tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : null)));
        listener.Start();
        var edge = new Edge("source[rtsp://user:pw@cam/x]", new EdgeOptions(1, FrameDropPolicy.DropOldest));
        stats.AddEdge(edge);

        stats.CountIn();
        stats.RecordStage(PipelineStage.Inference, 12.5);
        stats.CountOut(System.Diagnostics.Stopwatch.GetTimestamp());
        stats.AddSourceDrops(2);
        listener.RecordObservableInstruments();

        Assert.Contains(("streamseg_frames_in", 1.0, null), seen);
        Assert.Contains(("streamseg_frames_out", 1.0, null), seen);
        Assert.Contains(("streamseg_stage_duration", 12.5, "stage=inference"), seen);
        Assert.Contains(seen, m => m.Instrument == "streamseg_end_to_end_latency" && m.Value >= 0);
        Assert.Contains(("streamseg_frames_dropped", 0.0, "edge=source[rtsp://***@cam/x]"), seen);
        Assert.Contains(("streamseg_frames_dropped", 2.0, "edge=source-internal"), seen);
        Assert.Contains(("streamseg_edge_queue_depth", 0.0, "edge=source[rtsp://***@cam/x]"), seen);
        Assert.DoesNotContain(seen, m => m.Tag?.Contains("pw", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void PipelineStats_WithoutMetrics_StillCounts()
    {
        var stats = new PipelineStats();

        stats.CountIn();
        stats.CountOut(0);

        Assert.Null(stats.Metrics);
        Assert.Equal(1, stats.FramesOut);
    }
}
