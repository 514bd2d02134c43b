using System.Text;
using System.Text.Json;

namespace StreamSeg.Import;

/// <summary>One TF <c>NodeDef</c> from <c>modelTopology.node</c>, with its attributes in protobuf-JSON form.</summary>
public sealed class TfjsNode
{
    private readonly Dictionary<string, JsonElement> _attributes;

    internal TfjsNode(string name, string op, IReadOnlyList<string> inputs, IReadOnlyList<string> controlInputs, Dictionary<string, JsonElement> attributes)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        ControlInputs = controlInputs;
        _attributes = attributes;
    }

    /// <summary>The node name.</summary>
    public string Name { get; }

    /// <summary>The TF op type.</summary>
    public string Op { get; }

    /// <summary>Data inputs as <c>node</c> or <c>node:k</c> references, in order.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Control inputs (node names, without the leading <c>^</c>).</summary>
    public IReadOnlyList<string> ControlInputs { get; }

    /// <summary>Whether the attribute is present.</summary>
    public bool HasAttribute(string name) => _attributes.ContainsKey(name);

    /// <summary>Reads an int attribute (<c>{"i":"3"}</c>), or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt(string name, long defaultValue = 0)
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("i", out JsonElement i))
        {
            return defaultValue;
        }

        return i.ValueKind == JsonValueKind.String ? long.Parse(i.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : i.GetInt64();
    }

    /// <summary>Reads a float attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public float GetFloat(string name, float defaultValue)
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("f", out JsonElement f))
        {
            return defaultValue;
        }

        return f.ValueKind == JsonValueKind.String ? float.Parse(f.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : f.GetSingle();
    }

    /// <summary>Reads a bool attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public bool GetBool(string name, bool defaultValue = false) =>
        _attributes.TryGetValue(name, out JsonElement a) && a.TryGetProperty("b", out JsonElement b) ? b.GetBoolean() : defaultValue;

    /// <summary>Reads a string attribute (base64 bytes or byte array), or <paramref name="defaultValue"/> when absent.</summary>
    public string GetString(string name, string defaultValue = "")
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("s", out JsonElement s))
        {
            return defaultValue;
        }

        return DecodeString(s);
    }

    /// <summary>Reads a dtype attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public TfDataType GetType(string name, TfDataType defaultValue) =>
        _attributes.TryGetValue(name, out JsonElement a) && a.TryGetProperty("type", out JsonElement t)
            ? TfDataTypes.FromTfName(t.GetString()!)
            : defaultValue;

    /// <summary>Reads an int list attribute; empty when absent.</summary>
    public long[] GetIntList(string name)
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("list", out JsonElement l) || !l.TryGetProperty("i", out JsonElement items))
        {
            return [];
        }

        return items.EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.String ? long.Parse(x.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : x.GetInt64())
            .ToArray();
    }

    /// <summary>Reads a string list attribute; empty when absent.</summary>
    public string[] GetStringList(string name)
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("list", out JsonElement l) || !l.TryGetProperty("s", out JsonElement items))
        {
            return [];
        }

        return items.EnumerateArray().Select(DecodeString).ToArray();
    }

    /// <summary>Reads a shape attribute: <c>null</c> for unknown rank, <c>-1</c> for unknown dims.</summary>
    public long[]? GetShape(string name)
    {
        if (!_attributes.TryGetValue(name, out JsonElement a) || !a.TryGetProperty("shape", out JsonElement s))
        {
            return null;
        }

        if (s.TryGetProperty("unknownRank", out JsonElement u) && u.GetBoolean())
        {
            return null;
        }

        if (!s.TryGetProperty("dim", out JsonElement dims))
        {
            return [];
        }

        return dims.EnumerateArray()
            .Select(d => d.TryGetProperty("size", out JsonElement size)
                ? (size.ValueKind == JsonValueKind.String ? long.Parse(size.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : size.GetInt64())
                : 0)
            .ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Op} '{Name}'";

    private static string DecodeString(JsonElement s)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            return Encoding.UTF8.GetString(s.EnumerateArray().Select(x => (byte)x.GetInt32()).ToArray());
        }

        return Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString()!));
    }
}
