using System.Buffers;
using System.Text;
using System.Text.Json;

namespace StreamSeg.Import.Tests;

/// <summary>Writes tiny TF.js graph models (<c>model.json</c> + one shard) for op-level tests.</summary>
internal sealed class TfjsGraphBuilder
{
    private readonly List<Dictionary<string, object>> _nodes = [];
    private readonly List<Dictionary<string, object>> _weights = [];
    // Not a MemoryStream: the builder then owns nothing to dispose.
    private readonly ArrayBufferWriter<byte> _shard = new();
    private readonly Dictionary<string, object> _outputs = [];

    public static object I(long v) => new Dictionary<string, object> { ["i"] = v.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public static object F(float v) => new Dictionary<string, object> { ["f"] = v };

    public static object B(bool v) => new Dictionary<string, object> { ["b"] = v };

    public static object S(string v) => new Dictionary<string, object> { ["s"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v)) };

    public static object T(string dtype) => new Dictionary<string, object> { ["type"] = dtype };

    public static object Ints(params long[] v) => new Dictionary<string, object>
    {
        ["list"] = new Dictionary<string, object> { ["i"] = v.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() },
    };

    public static object Strs(params string[] v) => new Dictionary<string, object>
    {
        ["list"] = new Dictionary<string, object> { ["s"] = v.Select(x => Convert.ToBase64String(Encoding.UTF8.GetBytes(x))).ToArray() },
    };

    public TfjsGraphBuilder Placeholder(string name, string dtype, params long[] shape)
    {
        var dims = shape.Select(d => new Dictionary<string, object> { ["size"] = d.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
        return Node(name, "Placeholder", [], ("dtype", T(dtype)), ("shape", new Dictionary<string, object> { ["shape"] = new Dictionary<string, object> { ["dim"] = dims } }));
    }

    public TfjsGraphBuilder Const(string name, float[] values, params long[] shape)
    {
        foreach (float v in values)
        {
            _shard.Write(BitConverter.GetBytes(v));
        }

        _weights.Add(new() { ["name"] = name, ["shape"] = shape, ["dtype"] = "float32" });
        return Node(name, "Const", [], ("dtype", T("DT_FLOAT")));
    }

    public TfjsGraphBuilder Const(string name, int[] values, params long[] shape)
    {
        foreach (int v in values)
        {
            _shard.Write(BitConverter.GetBytes(v));
        }

        _weights.Add(new() { ["name"] = name, ["shape"] = shape, ["dtype"] = "int32" });
        return Node(name, "Const", [], ("dtype", T("DT_INT32")));
    }

    /// <summary>A float32 const stored quantised: raw bytes plus the manifest's <c>quantization</c> object.</summary>
    public TfjsGraphBuilder QuantizedConst(string name, byte[] stored, Dictionary<string, object> quantization, params long[] shape)
    {
        _shard.Write(stored);
        _weights.Add(new() { ["name"] = name, ["shape"] = shape, ["dtype"] = "float32", ["quantization"] = quantization });
        return Node(name, "Const", [], ("dtype", T("DT_FLOAT")));
    }

    public TfjsGraphBuilder Node(string name, string op, string[] inputs, params (string Key, object Value)[] attrs)
    {
        _nodes.Add(new()
        {
            ["name"] = name,
            ["op"] = op,
            ["input"] = inputs,
            ["attr"] = attrs.ToDictionary(a => a.Key, a => a.Value),
        });
        return this;
    }

    public TfjsGraphBuilder Output(string key, string tensor)
    {
        _outputs[key] = new Dictionary<string, object> { ["name"] = tensor };
        return this;
    }

    /// <summary>Writes the model into a fresh temp folder and returns the <c>model.json</c> path.</summary>
    public string Save()
    {
        string dir = Path.Combine(Path.GetTempPath(), "streamseg-import-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "group1-shard1of1.bin"), _shard.WrittenSpan);
        var model = new Dictionary<string, object>
        {
            ["format"] = "graph-model",
            ["modelTopology"] = new Dictionary<string, object> { ["node"] = _nodes },
            ["weightsManifest"] = new[] { new Dictionary<string, object> { ["paths"] = new[] { "group1-shard1of1.bin" }, ["weights"] = _weights } },
            ["signature"] = new Dictionary<string, object> { ["outputs"] = _outputs },
        };
        string path = Path.Combine(dir, "model.json");
        File.WriteAllText(path, JsonSerializer.Serialize(model));
        return path;
    }
}
