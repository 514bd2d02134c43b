using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>
/// A sink that also reports source health (stalled, reconnecting, live again, ended) in its stream, as schema
/// <c>streamseg.health/1</c> records beside the frames. <see cref="WriteHealth"/> may be called from any thread and
/// never blocks on I/O: the event is queued and written in order with the frames.
/// </summary>
public interface IHealthSink
{
    /// <summary>Queues one state change of a source.</summary>
    void WriteHealth(SourceStateChange change);
}
