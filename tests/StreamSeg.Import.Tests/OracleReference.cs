using System.Text.Json;

namespace StreamSeg.Import.Tests;

/// <summary>
/// The raw outputs recorded in one oracle JSON file: for each output name either the whole tensor or samples at flat
/// row-major indices. The files differ per model (<c>output</c>, <c>outputs</c> as object or array, samples directly or
/// under <c>summary</c>); this reads them all.
/// </summary>
internal sealed class OracleReference
{
    private OracleReference(JsonElement root, Dictionary<string, (long[]? Index, double[] Values)> outputs)
    {
        Root = root;
        Outputs = outputs;
    }

    public JsonElement Root { get; }

    public Dictionary<string, (long[]? Index, double[] Values)> Outputs { get; }

    public static string DataDirectory(string model) => Path.Combine(AppContext.BaseDirectory, "Data", "Oracle", model);

    public static OracleReference Load(string model, string stem)
    {
        JsonElement root = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DataDirectory(model), stem + ".json"))).RootElement;
        var outputs = new Dictionary<string, (long[]?, double[])>(StringComparer.Ordinal);
        if (root.TryGetProperty("output", out JsonElement single))
        {
            Add(outputs, single.GetProperty("name").GetString()!, single);
        }

        if (root.TryGetProperty("outputs", out JsonElement many))
        {
            if (many.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement o in many.EnumerateArray())
                {
                    Add(outputs, o.GetProperty("name").GetString()!, o);
                }
            }
            else
            {
                foreach (JsonProperty p in many.EnumerateObject())
                {
                    Add(outputs, p.Name, p.Value);
                }
            }
        }

        return new OracleReference(root, outputs);
    }

    private static void Add(Dictionary<string, (long[]?, double[])> into, string name, JsonElement o)
    {
        if (o.TryGetProperty("data", out JsonElement data))
        {
            into[name] = (null, Flatten(data).ToArray());
            return;
        }

        JsonElement holder = o.TryGetProperty("samples", out _) ? o : o.GetProperty("summary");
        JsonElement samples = holder.GetProperty("samples");
        into[name] = (samples.GetProperty("idx").EnumerateArray().Select(x => x.GetInt64()).ToArray(), Flatten(samples.GetProperty("values")).ToArray());
    }

    private static IEnumerable<double> Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetDouble()];
}
