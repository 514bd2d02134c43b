namespace StreamSeg.Sinks;

/// <summary>Sends messages to a broker (MQTT, Kafka, …) for <see cref="MessageSink"/>; one background loop calls it, never the pipeline.</summary>
/// <remarks>
/// <para>
/// The contract is built for a sink that must never stall the pipeline. <see cref="ConnectAsync"/> makes one attempt
/// and throws when it fails (the sink retries with backoff); <see cref="TryPublishAsync"/> returns false instead of
/// throwing when a message could not be handed to the transport (not connected, local queue full, broker refused),
/// and the sink counts it as dropped. Calls are never concurrent: the sink's single loop awaits each one. Buffers
/// passed to <see cref="TryPublishAsync"/> are the sink's pooled buffers and are reused as soon as the returned
/// task completes, so an implementation that sends later must copy them first.
/// </para>
/// <para>
/// <b>Kafka</b> fits as a second implementation around Confluent.Kafka's <c>IProducer&lt;byte[], byte[]&gt;</c>
/// (not part of StreamSeg): <see cref="ConnectAsync"/> builds the producer and checks the cluster with
/// <c>IAdminClient.GetMetadata</c>; <see cref="IsConnected"/> turns false from the producer's error handler
/// (<c>Local_AllBrokersDown</c>, fatal errors) and true again on the next successful delivery or metadata call;
/// <see cref="TryPublishAsync"/> calls the non-blocking <c>Produce(topic, new Message { Key = key, Value = payload },
/// handler)</c>. librdkafka copies the bytes into its own queue during <c>Produce</c> (the message's arrays are
/// <c>key.ToArray()</c> and <c>payload.ToArray()</c>), so the sink's buffers can be reused at once, and a full local
/// queue (<c>Local_QueueFull</c>) returns false rather than blocking. The key is the frame's source id, so Kafka's
/// default partitioner keeps every source in one partition and in frame order while sources spread across
/// partitions; give <see cref="MessageSinkOptions.TopicTemplate"/> a fixed name such as <c>streamseg.frames</c>
/// (no <c>{source}</c>) so that all sources share one topic and the key does the partitioning. MQTT has no keys: its
/// topics carry the source.
/// </para>
/// </remarks>
public interface IMessagePublisher : IAsyncDisposable
{
    /// <summary>Gets a name for logs: the transport and broker, never credentials (for example <c>mqtt://***@host:1883/streamseg</c>).</summary>
    string Name { get; }

    /// <summary>Gets whether the publisher is connected and <see cref="TryPublishAsync"/> can be expected to succeed.</summary>
    bool IsConnected { get; }

    /// <summary>Makes one attempt to connect (a no-op when connected); throws when the broker cannot be reached or refuses, with a message free of credentials.</summary>
    ValueTask ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands one message to the transport. <paramref name="key"/> is the partitioning key (the source id, UTF-8) for
    /// transports that have keys; returns false, without throwing, when the message was not accepted.
    /// <paramref name="key"/> and <paramref name="payload"/> must not be accessed after the returned task completes.
    /// </summary>
    ValueTask<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}
