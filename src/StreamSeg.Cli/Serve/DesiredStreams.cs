using System.Text.Json;
using StreamSeg.Configuration;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// The desired list of a node's streams (config plus API changes), kept in a JSON file next to the config so that a
/// restarted node brings its streams back. Written atomically: a temporary file renamed over the old one.
/// </summary>
internal static class DesiredStreams
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Gets the file kept for the config at <paramref name="configPath"/>: <c>node.yaml</c> → <c>node.streams.json</c>.</summary>
    public static string PathFor(string configPath)
    {
        string full = Path.GetFullPath(configPath);
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", Path.GetFileNameWithoutExtension(full) + ".streams.json");
    }

    /// <summary>Reads the list, or null when the file does not exist.</summary>
    public static List<StreamSpec>? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DesiredFile>(File.ReadAllText(path), s_json)?.Streams ?? [];
        }
        catch (JsonException ex)
        {
            throw new ConfigException($"The desired streams file '{path}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Writes <paramref name="streams"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<StreamSpec> streams)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new DesiredFile([.. streams]), s_json));
        File.Move(temp, path, overwrite: true);
    }

    private sealed record DesiredFile(List<StreamSpec> Streams);
}
