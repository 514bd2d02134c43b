using System.Globalization;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="MqttPublisher"/>, usually parsed from a URL with <see cref="FromUrl"/>.</summary>
public sealed record MqttPublisherOptions
{
    /// <summary>The port used when the URL names none.</summary>
    public const int DefaultPort = 1883;

    /// <summary>Gets the broker's host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>Gets the broker's TCP port. Default 1883.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Gets the user name, or null to connect anonymously.</summary>
    public string? UserName { get; init; }

    /// <summary>Gets the password (never printed).</summary>
    public string? Password { get; init; }

    /// <summary>Gets the prefix put before every topic with a <c>/</c> (the URL's path without its slashes), or empty for none.</summary>
    public string TopicPrefix { get; init; } = string.Empty;

    /// <summary>Gets the quality of service: at most once (the default: a lost frame is replaced by the next) or at least once.</summary>
    public MqttQualityOfServiceLevel QualityOfService { get; init; } = MqttQualityOfServiceLevel.AtMostOnce;

    /// <summary>Gets the client id; null gives <c>streamseg-</c> and 8 random hex digits.</summary>
    public string? ClientId { get; init; }

    /// <summary>Gets the protocol version: <see cref="MqttProtocolVersion.V500"/> (default) or <see cref="MqttProtocolVersion.V311"/>.</summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    /// <summary>Gets how long one connection attempt may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the keep-alive period, which bounds how long a silently dead connection goes unnoticed. Default 15 s.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Parses <c>mqtt://[user[:password]@]host[:port][/topic/prefix][?qos=0|1&amp;client_id=ID&amp;version=5|3.1.1]</c>.
    /// User name and password are percent-decoded (write <c>@</c> as <c>%40</c>). Errors name the URL with its
    /// credentials redacted.
    /// </summary>
    public static MqttPublisherOptions FromUrl(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        string shown = Redact(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !string.Equals(uri.Scheme, "mqtt", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{shown}' is not an MQTT URL; expected mqtt://[user:password@]host[:port]/topic/prefix.");
        }

        string host = uri.IdnHost;
        if (host.Length == 0)
        {
            throw new FormatException($"MQTT URL '{shown}' has no host.");
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        string prefix = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        if (prefix.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new FormatException($"MQTT URL '{shown}': the topic prefix '{prefix}' has a wildcard ('+' or '#'), which cannot be published to.");
        }

        var options = new MqttPublisherOptions
        {
            Host = host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
            UserName = user,
            Password = password,
            TopicPrefix = prefix,
        };
        return ApplyQuery(options, uri.Query, shown);
    }

    /// <summary>Gets the broker address for logs: <c>mqtt://host:port/prefix</c>, with <c>***@</c> when there are credentials.</summary>
    public string DisplayUrl()
    {
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        string credentials = UserName is null ? string.Empty : "***@";
        return string.Create(CultureInfo.InvariantCulture, $"mqtt://{credentials}{host}:{Port}/{TopicPrefix}");
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the settings are inconsistent.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentNullException.ThrowIfNull(TopicPrefix);
        if (QualityOfService is not (MqttQualityOfServiceLevel.AtMostOnce or MqttQualityOfServiceLevel.AtLeastOnce))
        {
            throw new ArgumentOutOfRangeException(nameof(QualityOfService), QualityOfService, "MQTT QoS must be 0 (at most once) or 1 (at least once).");
        }

        if (ProtocolVersion is not (MqttProtocolVersion.V500 or MqttProtocolVersion.V311))
        {
            throw new ArgumentOutOfRangeException(nameof(ProtocolVersion), ProtocolVersion, "MQTT protocol version must be 5 or 3.1.1.");
        }

        if (ClientId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ClientId);
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAlive, TimeSpan.Zero, nameof(KeepAlive));
    }

    // UrlRedactor stops at the first '@' and needs a scheme; here everything before the last '@' goes, scheme or not.
    private static string Redact(string url)
    {
        int at = url.LastIndexOf('@');
        if (at < 0)
        {
            return url;
        }

        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        string start = scheme >= 0 && scheme < at ? url[..(scheme + 3)] : string.Empty;
        return start + "***" + url[at..];
    }

    private static MqttPublisherOptions ApplyQuery(MqttPublisherOptions options, string query, string shown)
    {
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            string value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            options = key switch
            {
                "qos" => options with
                {
                    QualityOfService = value switch
                    {
                        "0" => MqttQualityOfServiceLevel.AtMostOnce,
                        "1" => MqttQualityOfServiceLevel.AtLeastOnce,
                        _ => throw new FormatException($"MQTT URL '{shown}': qos must be 0 or 1, not '{value}'."),
                    },
                },
                "client_id" => options with { ClientId = value.Length > 0 ? value : null },
                "version" => options with
                {
                    ProtocolVersion = value switch
                    {
                        "5" or "5.0" => MqttProtocolVersion.V500,
                        "3.1.1" or "4" => MqttProtocolVersion.V311,
                        _ => throw new FormatException($"MQTT URL '{shown}': version must be 5 or 3.1.1, not '{value}'."),
                    },
                },
                _ => throw new FormatException($"MQTT URL '{shown}': unknown parameter '{key}' (known: qos, client_id, version)."),
            };
        }

        return options;
    }
}
