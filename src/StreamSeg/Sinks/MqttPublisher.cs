using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>Publishes messages to an MQTT broker (v5 or 3.1.1) with MQTTnet; the transport of <see cref="MessageSink"/> for <c>mqtt://</c> URLs.</summary>
/// <remarks>
/// <para>
/// Each message goes to <c>{TopicPrefix}/{topic}</c> (just <c>{topic}</c> without a prefix), not retained, at QoS 0
/// by default (a lost frame is superseded by the next one) or QoS 1. The session is clean: nothing is queued for
/// StreamSeg on the broker, and nothing survives a reconnection. With MQTT 5 the payload carries the content type
/// <c>application/json</c>. MQTT has no message keys, so the key is not sent; the topic names the source.
/// </para>
/// <para>
/// <see cref="ConnectAsync"/> makes one attempt bounded by <see cref="MqttPublisherOptions.ConnectTimeout"/>; the
/// owning <see cref="MessageSink"/> retries with backoff. A lost connection is noticed when the socket closes, or
/// within 1.5 keep-alive periods when it dies silently. State changes are logged as single lines (<c>mqtt: connected to …</c>, <c>mqtt: disconnected from … (reason)</c>,
/// <c>mqtt: reconnecting to …</c>, <c>mqtt: cannot connect to … (reason)</c>); the broker is always shown through
/// <see cref="MqttPublisherOptions.DisplayUrl"/> and every message through <see cref="UrlRedactor"/>, so the
/// password never appears in logs or exceptions. Example:
/// <c>new MqttPublisher(MqttPublisherOptions.FromUrl("mqtt://user:pw@broker:1883/streamseg?qos=1"), logger)</c>.
/// </para>
/// </remarks>
public sealed partial class MqttPublisher : IMessagePublisher
{
    private readonly MqttPublisherOptions _options;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly string _prefix;
    private readonly Dictionary<string, string> _topics = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private bool _everConnected;
    private bool _disposed;

    /// <summary>Creates the publisher; nothing connects until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The broker and the session's settings.</param>
    /// <param name="logger">Where connection changes are logged; null for none.</param>
    public MqttPublisher(MqttPublisherOptions options, ILogger<MqttPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger<MqttPublisher>.Instance;
        Name = options.DisplayUrl();
        ClientId = options.ClientId ?? string.Create(CultureInfo.InvariantCulture, $"streamseg-{Random.Shared.Next():x8}");
        _prefix = options.TopicPrefix.Length == 0 ? string.Empty : options.TopicPrefix + "/";
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(ClientId)
            .WithCleanSession(true)
            .WithProtocolVersion(options.ProtocolVersion)
            .WithTimeout(options.ConnectTimeout)
            .WithKeepAlivePeriod(options.KeepAlive);
        if (options.UserName is not null)
        {
            builder = builder.WithCredentials(options.UserName, options.Password);
        }

        _clientOptions = builder.Build();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>Gets the broker address with credentials redacted, for example <c>mqtt://***@broker:1883/streamseg</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the client id sent to the broker.</summary>
    public string ClientId { get; }

    /// <inheritdoc/>
    public bool IsConnected => !_disposed && _client.IsConnected;

    /// <inheritdoc/>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_client.IsConnected)
        {
            return;
        }

        if (_everConnected)
        {
            LogReconnecting(_logger, Name);
        }

        try
        {
            MqttClientConnectResult result = await _client.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new IOException($"MQTT broker {Name} refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string reason = UrlRedactor.Redact(ex.Message);
            LogCannotConnect(_logger, Name, reason);
            throw new IOException($"Cannot connect to MQTT broker {Name}: {reason}", ex);
        }

        _everConnected = true;
        string version = _options.ProtocolVersion == MqttProtocolVersion.V500 ? "5" : "3.1.1";
        LogConnected(_logger, Name, version, ClientId, (int)_options.QualityOfService);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryPublishAsync(string topic, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (!IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessage
        {
            Topic = TopicOf(topic),
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = _options.QualityOfService,
            ContentType = _options.ProtocolVersion == MqttProtocolVersion.V500 ? "application/json" : null,
        };
        try
        {
            // QoS 0 completes once the packet is written to the socket, QoS 1 once the broker acknowledges it;
            // either way MQTTnet is done with the payload when this returns.
            MqttClientPublishResult result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException or IOException or ObjectDisposedException
            || (ex is OperationCanceledException && !_client.IsConnected))
        {
            // The connection went away during the publish: the message is lost, which the caller counts.
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _client.DisconnectedAsync -= OnDisconnectedAsync;
        if (_client.IsConnected)
        {
            // A clean DISCONNECT tells the broker we left on purpose; bounded so that shutdown never hangs on it.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
                LogClosed(_logger, Name);
            }
            catch (Exception ex) when (ex is MqttCommunicationException or IOException or OperationCanceledException)
            {
                LogCloseFailed(_logger, Name, UrlRedactor.Redact(ex.Message));
            }
        }

        _client.Dispose();
    }

    private string TopicOf(string topic)
    {
        if (_prefix.Length == 0)
        {
            return topic;
        }

        if (!_topics.TryGetValue(topic, out string? full))
        {
            full = _prefix + topic;
            _topics.Add(topic, full);
        }

        return full;
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // MQTTnet also raises this after a failed attempt; ConnectAsync reports those, so only lost connections are logged here.
        if (e.ClientWasConnected && !_disposed)
        {
            string reason = e.Exception is null ? e.Reason.ToString() : $"{e.Reason}: {e.Exception.Message}";
            LogDisconnected(_logger, Name, UrlRedactor.Redact(reason));
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: reconnecting to {Broker}")]
    private static partial void LogReconnecting(ILogger logger, string broker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: cannot connect to {Broker} ({Reason})")]
    private static partial void LogCannotConnect(ILogger logger, string broker, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: connected to {Broker} (MQTT {Version}, client id {ClientId}, QoS {Qos})")]
    private static partial void LogConnected(ILogger logger, string broker, string version, string clientId, int qos);

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: disconnected from {Broker} (closed)")]
    private static partial void LogClosed(ILogger logger, string broker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: disconnected from {Broker} (close failed: {Reason})")]
    private static partial void LogCloseFailed(ILogger logger, string broker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: disconnected from {Broker} ({Reason})")]
    private static partial void LogDisconnected(ILogger logger, string broker, string reason);
}
