using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Polly;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>Publishes one message per frame, the frame's <c>streamseg.frame/1</c> JSON object, to a broker through an <see cref="IMessagePublisher"/>.</summary>
/// <remarks>
/// <para>
/// <see cref="WriteAsync"/> only serialises the frame with a <see cref="FrameMetadataWriter"/> (the same bytes as a
/// line of <see cref="NdjsonMetadataSink"/>, without the newline) into a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> and enqueues it in a bounded outbox; it never waits for the network and never
/// throws because of it. One background loop drains the outbox into the publisher, one message at a time, in order.
/// The topic is <see cref="MessageSinkOptions.TopicTemplate"/> with <c>{source}</c> filled in, and the key is the
/// source id in UTF-8 (see <see cref="IMessagePublisher"/> for how Kafka would use it).
/// </para>
/// <para>
/// When the broker is slow or away the outbox fills up to <see cref="MessageSinkOptions.Capacity"/> (default 256)
/// and then drops its oldest message for each new one (<see cref="FrameDropPolicy.DropOldest"/>), so it always holds
/// the latest frames; a publish that fails or times out drops its message too. Every drop is counted in
/// <see cref="Dropped"/>, and every message ends up counted once in <see cref="Published"/> or <see cref="Dropped"/>.
/// While disconnected the loop reconnects through the Polly pipeline of <see cref="MessageSinkOptions.Reconnect"/>
/// (0.5 s doubling up to 10 s with jitter, forever, by default) and, once connected, sends what the outbox holds and
/// then live frames; if the policy gives up, the loop ends and every later message is dropped and counted. <see cref="CompleteAsync"/> waits up to
/// <see cref="MessageSinkOptions.DrainTimeout"/> (5 s) for the outbox to drain, then drops the rest, so a broker
/// outage delays shutdown by at most that long. Options are fixed at construction. The sink owns the publisher and
/// disposes it. Example:
/// <c>new MessageSink(new MqttPublisher(MqttPublisherOptions.FromUrl("mqtt://broker:1883/streamseg")), new MessageSinkOptions { Capacity = 256 })</c>.
/// </para>
/// </remarks>
public sealed class MessageSink : ISink, IHealthSink
{
    private readonly IMessagePublisher _publisher;
    private readonly MessageSinkOptions _options;
    private readonly FrameMetadataWriter _writer;
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Dictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly Channel<OutboxMessage> _outbox;
    private readonly CancellationTokenSource _stop = new();
    private readonly ResiliencePipeline<bool> _connect;
    private readonly Task _loop;
    private CancellationTokenSource _publishTimeout;
    private long _enqueued;
    private long _published;
    private long _dropped;
    private long _connectFailures;
    private string? _lastError;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink and starts its publishing loop (which connects at once); takes ownership of <paramref name="publisher"/>.</summary>
    public MessageSink(IMessagePublisher publisher, MessageSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        options ??= new MessageSinkOptions();
        options.Validate();
        _publisher = publisher;
        _options = options;
        Name = options.Name ?? publisher.Name;
        _writer = new FrameMetadataWriter(new FrameMetadataWriterOptions { IncludeMasks = options.IncludeMasks, RleFormat = options.RleFormat, Node = options.Node, SeqFromClock = options.SeqFromClock });
        var outboxOptions = new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        };

        // The drop hook runs for each message the outbox evicts: the buffer goes back to the pool and the drop is counted.
        _outbox = Channel.CreateBounded<OutboxMessage>(outboxOptions, DropMessage);
        _publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _connect = options.Reconnect.CreatePipeline();
        _loop = Task.Run(RunAsync);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets how many messages have been enqueued (one per frame written).</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Gets how many messages the publisher has accepted.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Gets how many messages were dropped: evicted from a full outbox, failed or timed out, or left over at completion.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many messages wait in the outbox.</summary>
    public int Pending => _outbox.Reader.Count;

    /// <summary>Gets how many connection attempts have failed.</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Gets whether the publisher is connected now.</summary>
    public bool IsConnected => _publisher.IsConnected;

    /// <summary>Gets the last connection or publish error (credentials redacted), or null when there has been none.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Serialises <paramref name="frame"/> and enqueues its message; completes synchronously and never waits for the broker.</summary>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"Message sink '{Name}' is already complete.");
        }

        if (frame.Meta.IsPlaceholder)
        {
            // An "offline" placeholder has no instances to report; its source's health events say what happened.
            return ValueTask.CompletedTask;
        }

        lock (_buffer)
        {
            _buffer.ResetWrittenCount();
            _writer.Write(frame, _buffer);
            Enqueue(frame.Meta.SourceId);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void WriteHealth(SourceStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_completed || _disposed)
        {
            return;
        }

        lock (_buffer)
        {
            _buffer.ResetWrittenCount();
            HealthEventWriter.Write(change, _buffer);
            Enqueue(change.SourceId);
        }
    }

    private void Enqueue(string sourceId)
    {
        int length = _buffer.WrittenCount;
        byte[] payload = ArrayPool<byte>.Shared.Rent(length);
        _buffer.WrittenSpan.CopyTo(payload);
        Interlocked.Increment(ref _enqueued);

        // With DropOldest, TryWrite fails only once the outbox is complete, which _completed rules out above.
        if (!_outbox.Writer.TryWrite(new OutboxMessage(RouteOf(sourceId), payload, length)))
        {
            ArrayPool<byte>.Shared.Return(payload);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        _outbox.Writer.TryComplete();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task timeout = Task.Delay(_options.DrainTimeout, wait.Token);
        if (await Task.WhenAny(_loop, timeout).ConfigureAwait(false) != _loop)
        {
            // The broker is away (or the caller gave up): stop retrying; the messages still queued are dropped below.
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await wait.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        DropLeftovers();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);

        // A fault of the loop has already reached CompleteAsync when it was called; disposal only releases.
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        DropLeftovers();
        await _publisher.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        _publishTimeout.Dispose();
        _stop.Dispose();
    }

    /// <summary>Builds the topic of <paramref name="sourceId"/> from <paramref name="template"/>: <c>{source}</c> becomes the id with every character outside <c>A-Z a-z 0-9 . _ -</c> replaced by <c>_</c>.</summary>
    public static string FormatTopic(string template, string sourceId)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(sourceId);
        if (!template.Contains("{source}", StringComparison.Ordinal))
        {
            return template;
        }

        if (sourceId.Length == 0)
        {
            return template.Replace("{source}", "_", StringComparison.Ordinal);
        }

        string safe = string.Create(sourceId.Length, sourceId, static (span, id) =>
        {
            for (int i = 0; i < id.Length; i++)
            {
                char c = id[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_';
            }
        });
        return template.Replace("{source}", safe, StringComparison.Ordinal);
    }

    private Route RouteOf(string sourceId)
    {
        if (!_routes.TryGetValue(sourceId, out Route? route))
        {
            route = new Route(FormatTopic(_options.TopicTemplate, sourceId), Encoding.UTF8.GetBytes(sourceId));
            _routes.Add(sourceId, route);
        }

        return route;
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        ChannelReader<OutboxMessage> reader = _outbox.Reader;
        try
        {
            while (!reader.Completion.IsCompleted)
            {
                // Meanwhile the outbox keeps the latest frames and drops (and counts) the oldest. An outbox that has
                // been completed and emptied ends the retries: there is nothing left to send.
                if (!_publisher.IsConnected
                    && !await _connect.ExecuteAsync(
                        static (sink, ct) => sink._outbox.Reader.Completion.IsCompleted ? ValueTask.FromResult(true) : sink.TryConnectAsync(ct),
                        this,
                        stop).ConfigureAwait(false))
                {
                    // The policy gave up: nothing more is sent; what is queued now and later is dropped and counted.
                    break;
                }

                if (!await reader.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    break;
                }

                while (_publisher.IsConnected && reader.TryRead(out OutboxMessage message))
                {
                    await PublishAsync(message, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by CompleteAsync's drain timeout or by DisposeAsync; the caller drops what is left.
        }
    }

    private async ValueTask<bool> TryConnectAsync(CancellationToken stop)
    {
        try
        {
            await _publisher.ConnectAsync(stop).ConfigureAwait(false);
            return _publisher.IsConnected;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // An unreachable broker is an expected condition: count it, keep the reason, retry after the backoff.
            Interlocked.Increment(ref _connectFailures);
            Volatile.Write(ref _lastError, UrlRedactor.Redact(ex.Message));
            return false;
        }
    }

    private async ValueTask PublishAsync(OutboxMessage message, CancellationToken stop)
    {
        bool published = false;
        try
        {
            _publishTimeout.CancelAfter(_options.PublishTimeout);
            published = await _publisher.TryPublishAsync(message.Route.Topic, message.Route.Key, message.Payload.AsMemory(0, message.Length), _publishTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // A publisher should return false rather than throw, but a throw (or the timeout) must not end the loop.
            Volatile.Write(ref _lastError, UrlRedactor.Redact(ex.Message));
        }
        finally
        {
            // The publisher may not touch the payload once its task has completed, so the buffer is returned even
            // when the publish failed; every message is counted exactly once.
            ArrayPool<byte>.Shared.Return(message.Payload);
            Interlocked.Increment(ref published ? ref _published : ref _dropped);
            if (!_publishTimeout.TryReset())
            {
                _publishTimeout.Dispose();
                _publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            }
        }
    }

    private void DropLeftovers()
    {
        while (_outbox.Reader.TryRead(out OutboxMessage message))
        {
            DropMessage(message);
        }
    }

    private void DropMessage(OutboxMessage message)
    {
        ArrayPool<byte>.Shared.Return(message.Payload);
        Interlocked.Increment(ref _dropped);
    }

    /// <summary>The topic and key of one source, built once.</summary>
    private sealed record Route(string Topic, byte[] Key);

    /// <summary>One serialised frame: <see cref="Payload"/> is rented from the shared pool and holds <see cref="Length"/> bytes.</summary>
    private readonly record struct OutboxMessage(Route Route, byte[] Payload, int Length);
}
