using System.Text.Json;
using System.Text.RegularExpressions;
using StreamSeg.Capture;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// Reads and checks a <see cref="StreamSpec"/>: the body of <c>POST /api/streams</c> (no unknown key, every field a
/// string) and the fields themselves (an id usable as a topic and a file name, a source that exists or is a URL, an
/// RTSP publish URL, output folders that exist). Each refusal is one line naming the field.
/// </summary>
internal static partial class StreamSpecParser
{
    private static readonly string[] s_keys = ["id", "source", "publish", "record", "meta", "loop"];
    private static readonly string[] s_streamSchemes = ["rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt"];

    /// <summary>Parses <paramref name="body"/>; a <see cref="StreamRequestException"/> (<see cref="StreamRequestError.Invalid"/>) says what is wrong.</summary>
    public static StreamSpec Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw Invalid($"body: not valid JSON ({ex.Message.Split('.')[0]})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("body: must be a JSON object");
            }

            string? id = null, source = null, publish = null, record = null, meta = null;
            bool loop = false;
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (Array.IndexOf(s_keys, property.Name) < 0)
                {
                    throw Invalid($"{property.Name}: unknown key (known: id, source, publish, record, meta, loop)");
                }

                if (property.Name == "loop")
                {
                    loop = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False or JsonValueKind.Null => false,
                        _ => throw Invalid("loop: must be true or false"),
                    };
                    continue;
                }

                if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    throw Invalid($"{property.Name}: must be a string");
                }

                string? value = property.Value.GetString();
                switch (property.Name)
                {
                    case "id": id = value; break;
                    case "source": source = value; break;
                    case "publish": publish = value; break;
                    case "record": record = value; break;
                    case "meta": meta = value; break;
                    default: break;
                }
            }

            var spec = new StreamSpec(id ?? string.Empty, source ?? string.Empty, publish, record, meta, loop);
            Validate(spec);
            return spec;
        }
    }

    /// <summary>Checks the fields of <paramref name="spec"/>; throws a <see cref="StreamRequestException"/> naming the first bad one.</summary>
    public static void Validate(StreamSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrEmpty(spec.Id))
        {
            throw Invalid("id: missing");
        }

        if (!IdPattern().IsMatch(spec.Id))
        {
            throw Invalid("id: must be 1 to 64 of A-Z a-z 0-9 . _ - (starting with a letter or digit)");
        }

        if (string.IsNullOrWhiteSpace(spec.Source))
        {
            throw Invalid("source: missing");
        }

        CheckSource(spec.Source);
        if (spec.Loop && !File.Exists(spec.Source))
        {
            throw Invalid("loop: only a video file can be looped");
        }

        if (spec.Publish is not null
            && (!Uri.TryCreate(spec.Publish, UriKind.Absolute, out Uri? publish) || publish.Scheme is not ("rtsp" or "rtsps") || string.IsNullOrEmpty(publish.Host)))
        {
            throw Invalid($"publish: must be an rtsp:// URL (got '{UrlRedactor.Redact(spec.Publish)}')");
        }

        if (spec.Record is not null)
        {
            if (!spec.Record.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"record: must be an .mp4 file (got '{spec.Record}')");
            }

            CheckFolder("record", spec.Record);
        }

        if (spec.Meta is not null)
        {
            CheckFolder("meta", spec.Meta);
        }
    }

    private static void CheckSource(string source)
    {
        int scheme = source.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            if (!Uri.TryCreate(source, UriKind.Absolute, out Uri? uri) || Array.IndexOf(s_streamSchemes, uri.Scheme) < 0 || string.IsNullOrEmpty(uri.Host))
            {
                throw Invalid($"source: not a supported stream URL (got '{UrlRedactor.Redact(source)}'; rtsp, rtsps, rtmp, http, https, udp, tcp or srt)");
            }

            return;
        }

        if (source.StartsWith("camera:", StringComparison.Ordinal) || source.StartsWith("/dev/video", StringComparison.Ordinal))
        {
            return;
        }

        if (!File.Exists(source) && !Directory.Exists(source))
        {
            throw Invalid($"source: file '{source}' does not exist");
        }
    }

    private static void CheckFolder(string field, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw Invalid($"{field}: folder '{folder}' does not exist");
        }
    }

    private static StreamRequestException Invalid(string message) => new(StreamRequestError.Invalid, message);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();
}
