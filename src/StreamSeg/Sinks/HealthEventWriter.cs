using System.Buffers;
using System.Text.Json;
using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>
/// Writes one source state change as JSON, schema <c>streamseg.health/1</c>:
/// <c>{"schema":"streamseg.health/1","source":"…","source_index":0,"state":"reconnecting","time":"…","reason":…,"reconnects":2,"offline_ms":…,"away_ms":…,"reopen_ms":…}</c>;
/// for Live after a reconnect, <c>offline_ms</c> is <c>away_ms</c> (how long the source was really gone, as far as the
/// probes saw) plus <c>reopen_ms</c> (how long the reopen took once it was back); all three are null otherwise.
/// </summary>
public static class HealthEventWriter
{
    /// <summary>The schema name and version of health records.</summary>
    public const string Schema = "streamseg.health/1";

    /// <summary>Appends the JSON object (no newline) to <paramref name="output"/>.</summary>
    public static void Write(SourceStateChange change, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("schema"u8, Schema);
        json.WriteString("source"u8, change.SourceId);
        json.WriteNumber("source_index"u8, change.SourceIndex);
        json.WriteString("state"u8, change.State.ToString().ToLowerInvariant());
        json.WriteString("time"u8, change.Time.UtcDateTime);
        if (change.Reason is null)
        {
            json.WriteNull("reason"u8);
        }
        else
        {
            json.WriteString("reason"u8, UrlRedactor.Redact(change.Reason));
        }

        json.WriteNumber("reconnects"u8, change.Reconnects);
        if (change.Offline is TimeSpan offline)
        {
            json.WriteNumber("offline_ms"u8, Math.Round(offline.TotalMilliseconds));
        }
        else
        {
            json.WriteNull("offline_ms"u8);
        }

        WriteMilliseconds(json, "away_ms"u8, change.Away);
        WriteMilliseconds(json, "reopen_ms"u8, change.Reopen);

        json.WriteEndObject();
    }

    private static void WriteMilliseconds(Utf8JsonWriter json, ReadOnlySpan<byte> name, TimeSpan? value)
    {
        if (value is TimeSpan span)
        {
            json.WriteNumber(name, Math.Round(span.TotalMilliseconds));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
