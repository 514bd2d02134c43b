using System.Globalization;
using StreamSeg.Configuration;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Cli.Run;

/// <summary>Prints a run's summary on standard output: totals, per-stage latency, batching, drops per edge and the outputs written.</summary>
internal sealed class SummaryPrinter
{
    private readonly TextWriter _output;

    /// <summary>Creates the printer, writing to <paramref name="output"/>.</summary>
    public SummaryPrinter(TextWriter output)
    {
        _output = output;
    }

    /// <summary>Prints the summary of <paramref name="run"/>, a run of <paramref name="config"/>.</summary>
    public void Print(PipelineRun run, RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(config);
        TextWriter o = _output;
        PipelineResult result = run.Result;
        PipelineStats stats = run.Stats;
        double seconds = result.Elapsed.TotalSeconds;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"summary: {(result.Cancelled ? "interrupted" : "done")} in {seconds:0.0} s — frames in {result.FramesIn}, out {result.FramesOut}, dropped {result.Dropped}{(result.SinkDropped > 0 ? $" (+{result.SinkDropped} at slow sinks)" : string.Empty)}, {(seconds > 0 ? result.FramesOut / seconds : 0):0.0} fps, provider {stats.Provider}"));
        o.WriteLine("  stage        p50 ms   p95 ms   mean ms");
        for (int i = 0; i < PipelineStageInfo.Count; i++)
        {
            var stage = (PipelineStage)i;
            LatencyHistogram h = stats.Stage(stage);
            if (h.Count == 0)
            {
                continue;
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {PipelineStageInfo.Name(stage),-11} {h.Percentile(50),7:0.0}  {h.Percentile(95),7:0.0}  {h.MeanMs,8:0.0}"));
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"end-to-end",-11} {stats.EndToEnd.Percentile(50),7:0.0}  {stats.EndToEnd.Percentile(95),7:0.0}  {stats.EndToEnd.MeanMs,8:0.0}"));
        if (stats.Batches > 0)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  inference calls {stats.Batches}, {stats.MeanBatch:0.00} frames per call on average, largest batch {stats.LargestBatch}"));
        }

        foreach (Edge edge in stats.Edges)
        {
            if (edge.Dropped > 0)
            {
                o.WriteLine($"  dropped on {edge.Name} ({edge.Options.Policy}): {edge.Dropped}");
            }
        }

        if (config.Out is not null)
        {
            o.WriteLine($"  video: {config.Out}");
        }

        if (config.Meta is not null)
        {
            o.WriteLine($"  metadata: {config.Meta}");
        }
    }
}
