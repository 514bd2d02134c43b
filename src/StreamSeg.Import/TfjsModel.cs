using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;

namespace StreamSeg.Import;

/// <summary>
/// A TensorFlow.js graph model read from <c>model.json</c> and its weight shards: the node list, the decoded
/// constants (float16 and affine uint8/uint16 quantisation undone as TF.js does on load) and the signature.
/// </summary>
public sealed class TfjsModel
{
    private TfjsModel(string path, List<TfjsNode> nodes, Dictionary<string, TensorData> weights, List<TfjsSignatureEntry> inputs, List<TfjsSignatureEntry> outputs)
    {
        Path = path;
        Nodes = nodes;
        Weights = weights;
        SignatureInputs = inputs;
        SignatureOutputs = outputs;
    }

    /// <summary>The path of <c>model.json</c>.</summary>
    public string Path { get; }

    /// <summary>The graph nodes in file order.</summary>
    public IReadOnlyList<TfjsNode> Nodes { get; }

    /// <summary>Decoded weights by name (the name of the <c>Const</c> node that owns them).</summary>
    public IReadOnlyDictionary<string, TensorData> Weights { get; }

    /// <summary>The signature inputs, in file order (empty when the model has no signature).</summary>
    public IReadOnlyList<TfjsSignatureEntry> SignatureInputs { get; }

    /// <summary>The signature outputs, in file order (empty when the model has no signature).</summary>
    public IReadOnlyList<TfjsSignatureEntry> SignatureOutputs { get; }

    /// <summary>Reads <paramref name="modelJsonPath"/> and the shards its manifest names.</summary>
    /// <exception cref="InvalidDataException">The JSON or a weight shard is malformed or too short.</exception>
    public static TfjsModel Load(string modelJsonPath)
    {
        byte[] jsonBytes = ReadMaybeGzip(modelJsonPath);
        using JsonDocument doc = JsonDocument.Parse(jsonBytes);
        JsonElement root = doc.RootElement;
        if (!root.TryGetProperty("modelTopology", out JsonElement topology) || !topology.TryGetProperty("node", out JsonElement nodeArray))
        {
            throw new InvalidDataException($"{modelJsonPath}: not a TF.js graph model (no modelTopology.node).");
        }

        var nodes = new List<TfjsNode>();
        foreach (JsonElement n in nodeArray.EnumerateArray())
        {
            var inputs = new List<string>();
            var controls = new List<string>();
            if (n.TryGetProperty("input", out JsonElement ins))
            {
                foreach (JsonElement i in ins.EnumerateArray())
                {
                    string s = i.GetString()!;
                    if (s.StartsWith('^'))
                    {
                        controls.Add(s[1..]);
                    }
                    else
                    {
                        inputs.Add(s);
                    }
                }
            }

            var attrs = new Dictionary<string, JsonElement>();
            if (n.TryGetProperty("attr", out JsonElement attrObj))
            {
                foreach (JsonProperty p in attrObj.EnumerateObject())
                {
                    attrs[p.Name] = p.Value.Clone();
                }
            }

            nodes.Add(new TfjsNode(n.GetProperty("name").GetString()!, n.GetProperty("op").GetString()!, inputs, controls, attrs));
        }

        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelJsonPath))!;
        var weights = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        if (root.TryGetProperty("weightsManifest", out JsonElement manifest))
        {
            foreach (JsonElement group in manifest.EnumerateArray())
            {
                ReadGroup(modelJsonPath, directory, group, weights);
            }
        }

        var sigInputs = new List<TfjsSignatureEntry>();
        var sigOutputs = new List<TfjsSignatureEntry>();
        if (root.TryGetProperty("signature", out JsonElement signature))
        {
            ReadSignature(signature, "inputs", sigInputs);
            ReadSignature(signature, "outputs", sigOutputs);
        }

        // Const dtype may differ from the stored one (int64 is stored as int32): cast to the node's dtype.
        foreach (TfjsNode node in nodes)
        {
            if (node.Op == "Const" && weights.TryGetValue(node.Name, out TensorData? w))
            {
                TfDataType want = node.GetType("dtype", w.DataType);
                if (want != w.DataType)
                {
                    weights[node.Name] = w.CastTo(want);
                }
            }
        }

        return new TfjsModel(modelJsonPath, nodes, weights, sigInputs, sigOutputs);
    }

    /// <summary>Decodes one weight of <paramref name="count"/> elements from <paramref name="bytes"/>.</summary>
    internal static TensorData DecodeWeight(ReadOnlySpan<byte> bytes, string dtype, long[] shape, long count, string? quantDtype, double scale, double min)
    {
        TfDataType type = TfDataTypes.FromManifestName(dtype);
        if (quantDtype is "float16")
        {
            var f = new float[count];
            for (long i = 0; i < count; i++)
            {
                f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice((int)(i * 2), 2));
            }

            return new TensorData(shape, f);
        }

        if (quantDtype is "uint8" or "uint16")
        {
            bool u8 = quantDtype == "uint8";
            if (type == TfDataType.Float)
            {
                var f = new float[count];
                for (long i = 0; i < count; i++)
                {
                    double q = u8 ? bytes[(int)i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice((int)(i * 2), 2));
                    f[i] = (float)((q * scale) + min);
                }

                return new TensorData(shape, f);
            }

            var v = new long[count];
            for (long i = 0; i < count; i++)
            {
                double q = u8 ? bytes[(int)i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice((int)(i * 2), 2));
                v[i] = (long)Math.Floor((q * scale) + min + 0.5); // JS Math.round
            }

            return new TensorData(type, shape, v);
        }

        if (quantDtype is not null)
        {
            throw new NotSupportedException($"Quantisation dtype '{quantDtype}' is not supported.");
        }

        switch (type)
        {
            case TfDataType.Float:
                var f = new float[count];
                for (long i = 0; i < count; i++)
                {
                    f[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice((int)(i * 4), 4));
                }

                return new TensorData(shape, f);
            case TfDataType.Int32:
                var v = new long[count];
                for (long i = 0; i < count; i++)
                {
                    v[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice((int)(i * 4), 4));
                }

                return new TensorData(TfDataType.Int32, shape, v);
            default:
                var b = new bool[count];
                for (long i = 0; i < count; i++)
                {
                    b[i] = bytes[(int)i] != 0;
                }

                return new TensorData(shape, b);
        }
    }

    private static void ReadGroup(string modelJsonPath, string directory, JsonElement group, Dictionary<string, TensorData> weights)
    {
        var buffer = new MemoryStream();
        foreach (JsonElement p in group.GetProperty("paths").EnumerateArray())
        {
            string shard = System.IO.Path.Combine(directory, p.GetString()!);
            if (!File.Exists(shard))
            {
                throw new FileNotFoundException($"{modelJsonPath}: weight shard '{p.GetString()}' not found.", shard);
            }

            byte[] bytes = ReadMaybeGzip(shard);
            buffer.Write(bytes);
        }

        byte[] all = buffer.ToArray();
        long offset = 0;
        foreach (JsonElement w in group.GetProperty("weights").EnumerateArray())
        {
            string name = w.GetProperty("name").GetString()!;
            string dtype = w.GetProperty("dtype").GetString()!;
            long[] shape = w.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            string? quantDtype = null;
            double scale = 1, min = 0;
            if (w.TryGetProperty("quantization", out JsonElement q))
            {
                quantDtype = q.GetProperty("dtype").GetString();
                if (q.TryGetProperty("scale", out JsonElement s))
                {
                    scale = s.GetDouble();
                }

                if (q.TryGetProperty("min", out JsonElement m))
                {
                    min = m.GetDouble();
                }
            }

            int elementSize = (quantDtype ?? dtype) switch
            {
                "float32" or "int32" => 4,
                "float16" or "uint16" => 2,
                "uint8" or "bool" => 1,
                string other => throw new NotSupportedException($"{modelJsonPath}: weight '{name}' has unsupported dtype '{other}'."),
            };
            long size = count * elementSize;
            if (offset + size > all.Length)
            {
                throw new InvalidDataException(
                    $"{modelJsonPath}: weight '{name}' needs bytes {offset}..{offset + size} but the shards hold only {all.Length} bytes.");
            }

            try
            {
                weights[name] = DecodeWeight(all.AsSpan((int)offset, (int)size), dtype, shape, count, quantDtype, scale, min);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"{modelJsonPath}: weight '{name}': {e.Message}", e);
            }

            offset += size;
        }

        if (offset != all.Length)
        {
            throw new InvalidDataException($"{modelJsonPath}: the weights use {offset} bytes but the shards hold {all.Length}.");
        }
    }

    private static void ReadSignature(JsonElement signature, string key, List<TfjsSignatureEntry> into)
    {
        if (!signature.TryGetProperty(key, out JsonElement entries))
        {
            return;
        }

        foreach (JsonProperty p in entries.EnumerateObject())
        {
            string tensor = p.Value.TryGetProperty("name", out JsonElement n) ? n.GetString()! : p.Name;
            TfDataType type = p.Value.TryGetProperty("dtype", out JsonElement d) ? TfDataTypes.FromTfName(d.GetString()!) : TfDataType.Float;
            long[]? shape = null;
            if (p.Value.TryGetProperty("tensorShape", out JsonElement ts) && !(ts.TryGetProperty("unknownRank", out JsonElement ur) && ur.GetBoolean()))
            {
                shape = ts.TryGetProperty("dim", out JsonElement dims)
                    ? dims.EnumerateArray().Select(x => x.TryGetProperty("size", out JsonElement sz) ? long.Parse(sz.GetString() ?? sz.GetRawText(), System.Globalization.CultureInfo.InvariantCulture) : 0).ToArray()
                    : [];
            }

            into.Add(new TfjsSignatureEntry(p.Name, tensor, type, shape));
        }
    }

    private static byte[] ReadMaybeGzip(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }

        return bytes;
    }
}
