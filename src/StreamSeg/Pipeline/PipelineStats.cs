using System.Diagnostics;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>The counters and latency histograms of one run, shared by the runner, the HUD and the summary.</summary>
public sealed class PipelineStats : IPipelineStatsView
{
    private readonly LatencyHistogram[] _stages = new LatencyHistogram[PipelineStageInfo.Count];
    private readonly List<Edge> _edges = [];
    private readonly HashSet<Edge> _sinkEdges = [];
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly PipelineMetrics? _metrics;
    private long _framesIn;
    private long _framesOut;
    private long _fpsWindowStart;
    private long _fpsWindowFrames;
    private double _fps;

    /// <summary>Creates empty statistics.</summary>
    public PipelineStats()
        : this(null)
    {
    }

    /// <summary>Creates empty statistics that also record into <paramref name="metrics"/> (when not null), for metric listeners such as <c>/metrics</c>.</summary>
    public PipelineStats(PipelineMetrics? metrics)
    {
        _metrics = metrics;
        metrics?.ObserveSourceDrops(() => Interlocked.Read(ref _sourceDropped));
        for (int i = 0; i < _stages.Length; i++)
        {
            _stages[i] = new LatencyHistogram();
        }

        _fpsWindowStart = _startTimestamp;
    }

    /// <summary>Gets the end-to-end latency (capture to sink) histogram.</summary>
    public LatencyHistogram EndToEnd { get; } = new();

    /// <summary>Gets or sets the execution provider in use.</summary>
    public string Provider { get; set; } = "none";

    /// <summary>Gets the number of frames captured.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);

    /// <summary>Gets the number of frames that reached the sinks.</summary>
    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <inheritdoc/>
    public double FramesPerSecond => Volatile.Read(ref _fps);

    /// <inheritdoc/>
    /// <remarks>Frames lost before they reached the sinks: frames in = frames out + this. Drops on a sink's own edge are in <see cref="SinkDroppedFrames"/>.</remarks>
    public long DroppedFrames => SumDropped(sinks: false) + Interlocked.Read(ref _sourceDropped);

    /// <summary>Gets the frames that reached the fan-out but that a slow sink's edge dropped (counted per sink edge in <see cref="Edges"/>).</summary>
    public long SinkDroppedFrames => SumDropped(sinks: true);

    private long _sourceDropped;

    /// <summary>Gets the edges of the run.</summary>
    public IReadOnlyList<Edge> Edges
    {
        get
        {
            lock (_edges)
            {
                return [.. _edges];
            }
        }
    }

    /// <summary>Gets the histogram of one stage.</summary>
    public LatencyHistogram Stage(PipelineStage stage) => _stages[(int)stage];

    /// <inheritdoc/>
    public double StageMilliseconds(PipelineStage stage) => _stages[(int)stage].RecentMs;

    /// <summary>Gets the metrics this run records into, if any.</summary>
    public PipelineMetrics? Metrics => _metrics;

    /// <summary>Registers an edge so its drops are counted; <paramref name="feedsSink"/> marks the edge in front of one sink.</summary>
    public void AddEdge(Edge edge, bool feedsSink = false)
    {
        lock (_edges)
        {
            _edges.Add(edge);
            if (feedsSink)
            {
                _sinkEdges.Add(edge);
            }
        }

        _metrics?.AddEdge(edge);
    }

    private long SumDropped(bool sinks)
    {
        long sum = 0;
        lock (_edges)
        {
            foreach (Edge edge in _edges)
            {
                if (_sinkEdges.Contains(edge) == sinks)
                {
                    sum += edge.Dropped;
                }
            }
        }

        return sum;
    }

    /// <summary>Counts frames a source lost before they entered the pipeline.</summary>
    public void AddSourceDrops(long count) => Interlocked.Add(ref _sourceDropped, count);

    /// <summary>Gets how many times live sources came back after going offline.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    private long _reconnects;

    /// <summary>Counts one reconnect of a live source.</summary>
    public void CountReconnect()
    {
        Interlocked.Increment(ref _reconnects);
        _metrics?.CountReconnect();
    }

    /// <summary>Gets how many calls a batching stage made (0 when no stage batches).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Gets the mean number of frames per call of a batching stage (0 when no stage batches).</summary>
    public double MeanBatch
    {
        get
        {
            long batches = Batches;
            return batches == 0 ? 0 : (double)Interlocked.Read(ref _batchedFrames) / batches;
        }
    }

    /// <summary>Gets the largest batch a batching stage processed.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    private long _batches;
    private long _batchedFrames;
    private int _largestBatch;

    /// <summary>Records one call of a batching stage on <paramref name="frames"/> frames.</summary>
    public void RecordBatch(int frames)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedFrames, frames);
        int seen;
        while (frames > (seen = Volatile.Read(ref _largestBatch)) && Interlocked.CompareExchange(ref _largestBatch, frames, seen) != seen)
        {
        }
    }

    /// <summary>Counts one captured frame.</summary>
    public void CountIn()
    {
        Interlocked.Increment(ref _framesIn);
        _metrics?.CountIn();
    }

    /// <summary>Records one stage's time for one frame.</summary>
    public void RecordStage(PipelineStage stage, double ms)
    {
        _stages[(int)stage].Record(ms);
        _metrics?.RecordStage(stage, ms);
    }

    /// <summary>Counts one frame out and records its end-to-end latency.</summary>
    public void CountOut(long captureTimestamp)
    {
        long now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _framesOut);
        double endToEndMs = -1;
        if (captureTimestamp != 0)
        {
            endToEndMs = Stopwatch.GetElapsedTime(captureTimestamp, now).TotalMilliseconds;
            EndToEnd.Record(endToEndMs);
        }

        _metrics?.CountOut(endToEndMs);

        lock (_stages)
        {
            _fpsWindowFrames++;
            double seconds = Stopwatch.GetElapsedTime(_fpsWindowStart, now).TotalSeconds;
            if (seconds >= 1.0)
            {
                Volatile.Write(ref _fps, _fpsWindowFrames / seconds);
                _fpsWindowFrames = 0;
                _fpsWindowStart = now;
            }
            else if (_fps == 0 && seconds > 0.2)
            {
                Volatile.Write(ref _fps, _fpsWindowFrames / seconds);
            }
        }
    }
}
