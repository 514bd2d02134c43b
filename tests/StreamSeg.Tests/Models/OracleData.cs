using System.Text.Json;
using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

/// <summary>Reads the TF.js reference files copied into <c>tests/Data/Oracle</c>.</summary>
internal static class OracleData
{
    public static string PathOf(string model, string file) => Path.Combine(TestPaths.Data, "Oracle", model, file);

    public static JsonDocument Json(string model, string file) => JsonDocument.Parse(File.ReadAllBytes(PathOf(model, file)));

    public static float[] Floats(JsonElement array)
    {
        var values = new float[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            values[i++] = e.GetSingle();
        }

        return values;
    }

    public static long[] Shape(JsonElement array)
    {
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            values[i++] = e.GetInt64();
        }

        return values;
    }

    /// <summary>Reads a whole float32 little-endian file.</summary>
    public static float[] F32(string model, string file)
    {
        byte[] bytes = File.ReadAllBytes(PathOf(model, file));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }

    /// <summary>Builds a RawTensor from a JSON output whose data is stored whole (flat or nested rows).</summary>
    public static RawTensor Tensor(string name, JsonElement shape, JsonElement data)
    {
        var flat = new List<float>();
        Flatten(data, flat);
        return new RawTensor(name, Shape(shape), flat.ToArray());
    }

    private static void Flatten(JsonElement e, List<float> into)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement child in e.EnumerateArray())
            {
                Flatten(child, into);
            }
        }
        else
        {
            into.Add(e.GetSingle());
        }
    }
}
