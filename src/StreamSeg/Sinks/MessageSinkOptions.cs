using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="MessageSink"/>: the outbox, the topic of each message, what the JSON holds and how the publisher is reconnected.</summary>
public sealed record MessageSinkOptions
{
    /// <summary>Gets how many messages the outbox holds while the broker is slow or away; when full, the oldest is dropped. Default 256.</summary>
    public int Capacity { get; init; } = 256;

    /// <summary>
    /// Gets the topic of each message; <c>{source}</c> is replaced by the frame's source id with every character other
    /// than <c>A-Z a-z 0-9 . _ -</c> turned into <c>_</c> (so that no <c>/</c>, <c>+</c> or <c>#</c> reaches an MQTT topic,
    /// and the result is a valid Kafka topic name). Default <c>{source}</c>.
    /// </summary>
    public string TopicTemplate { get; init; } = "{source}";

    /// <summary>Gets whether each instance's mask is written as COCO RLE of the full frame. Default true.</summary>
    public bool IncludeMasks { get; init; } = true;

    /// <summary>Gets the RLE <c>counts</c> form. Default <see cref="Sinks.RleFormat.String"/>, which keeps messages several times smaller than the counts array.</summary>
    public RleFormat RleFormat { get; init; } = RleFormat.String;

    /// <summary>
    /// Gets when the publisher is reconnected after a failed attempt, and whether the sink ever gives up (then every
    /// later message is dropped and counted). Default <see cref="ReconnectPolicy.Default"/>: 0.5 s doubling to 10 s, with jitter, forever.
    /// </summary>
    public ReconnectPolicy Reconnect { get; init; } = ReconnectPolicy.Default;

    /// <summary>Gets how long one publish may take before it is abandoned and its message counted as dropped. Default 5 s.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how long <see cref="MessageSink.CompleteAsync"/> waits for the outbox to drain; what is left then is dropped and counted. Default 5 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the node name stamped on each frame message with the stream id and a per-stream <c>seq</c> (see <see cref="FrameMetadataWriterOptions.Node"/>); null: not stamped.</summary>
    public string? Node { get; init; }

    /// <summary>Gets whether each stream's <c>seq</c> starts from the clock (a cluster node; see <see cref="FrameMetadataWriterOptions.SeqFromClock"/>).</summary>
    public bool SeqFromClock { get; init; }

    /// <summary>Gets the sink name used in logs and fault messages; null uses the publisher's name.</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the settings are inconsistent.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 1, nameof(Capacity));
        ArgumentException.ThrowIfNullOrWhiteSpace(TopicTemplate);
        if (!Enum.IsDefined(RleFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(RleFormat), RleFormat, "MessageSinkOptions.RleFormat must be Counts or String.");
        }

        ArgumentNullException.ThrowIfNull(Reconnect);
        Reconnect.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PublishTimeout, TimeSpan.Zero, nameof(PublishTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(DrainTimeout, TimeSpan.Zero, nameof(DrainTimeout));
        if (Name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        }
    }
}
