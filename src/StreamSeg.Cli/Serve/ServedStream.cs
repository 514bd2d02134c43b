using System.Diagnostics;
using StreamSeg.Capture;
using StreamSeg.Pipeline;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>One stream of a node: its spec, its source in the pipeline, and what the API says of it.</summary>
internal sealed class ServedStream
{
    private readonly Lock _fpsLock = new();
    private long _sampleTime;
    private long _sampleFrames;
    private double _fps;

    /// <summary>Creates the stream.</summary>
    public ServedStream(StreamSpec spec, LiveSource live, string node, CancellationTokenSource stop)
    {
        Stop = stop;
        Spec = spec;
        Live = live;
        Node = node;
        _sampleTime = Stopwatch.GetTimestamp();
    }

    /// <summary>Gets what was asked for.</summary>
    public StreamSpec Spec { get; }

    /// <summary>Gets the source in the pipeline.</summary>
    public LiveSource Live { get; }

    /// <summary>Gets the stream's own stop (linked to the node's): ends a reconnecting source's waits when it is removed.</summary>
    public CancellationTokenSource Stop { get; }

    /// <summary>Gets the node it runs on.</summary>
    public string Node { get; }

    /// <summary>Gets the state as the API names it: live, stopping, ended, failed, removed.</summary>
    public string State => Live.State.ToString().ToLowerInvariant();

    /// <summary>Gets the frames per second out of the pipeline over the last second or so.</summary>
    public double Fps
    {
        get
        {
            lock (_fpsLock)
            {
                long now = Stopwatch.GetTimestamp();
                double seconds = Stopwatch.GetElapsedTime(_sampleTime, now).TotalSeconds;
                if (seconds >= 1)
                {
                    long frames = Live.FramesOut;
                    _fps = (frames - _sampleFrames) / seconds;
                    _sampleFrames = frames;
                    _sampleTime = now;
                }

                return Live.State == LiveSourceState.Live ? Math.Round(_fps, 2) : 0;
            }
        }
    }

    /// <summary>The stream as <c>GET /api/streams</c> lists it (credentials redacted).</summary>
    public StreamSummary Summary() =>
        new(Spec.Id, UrlRedactor.Redact(Spec.Source), State, Fps, Node, Spec.Publish is null ? null : UrlRedactor.Redact(Spec.Publish), Spec.Record, Spec.Meta);

    /// <summary>The stream with its counters, as <c>GET /api/streams/{id}</c> shows it.</summary>
    public StreamDetail Detail()
    {
        StreamSummary s = Summary();
        var counters = new StreamCounters(
            Live.FramesIn,
            Live.FramesOut,
            Live.Dropped,
            Live.Reconnects,
            Math.Round(Live.EndToEnd.Percentile(50), 2),
            Math.Round(Live.EndToEnd.Percentile(95), 2));
        return new StreamDetail(s.Id, s.Source, s.State, s.Fps, s.Node, s.Publish, s.Record, s.Meta, counters, Live.Fault is null ? null : UrlRedactor.Redact(Live.Fault.Message));
    }
}
