using Google.Protobuf;
using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// Converts one <see cref="TfjsModel"/> into an ONNX graph. Tensors are tracked with a layout: convolutions, pools and
/// resizes run in NCHW, element-wise ops keep whatever layout their inputs have, and a tensor is transposed back to
/// NHWC only when a layout-sensitive consumer (or a graph output) needs it, at most once per tensor.
/// </summary>
internal sealed partial class GraphConverter
{
    private static readonly int[] ToNchw = [0, 3, 1, 2];
    private static readonly int[] ToNhwc = [0, 2, 3, 1];

    /// <summary>Swaps the first two axes of a 4-D tensor (N,C,H,W ↔ C,N,H,W), as the block ops need.</summary>
    private static readonly int[] SwapBatchAndChannels = [1, 0, 2, 3];

    /// <summary>Transposes a matrix (the [2,2] padding and crop tables).</summary>
    private static readonly int[] Transpose2D = [1, 0];

    private readonly TfjsModel _model;
    private readonly ConverterOptions _options;
    private readonly Dictionary<string, TfjsNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tfOps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _onnxOps = new(StringComparer.Ordinal);
    private readonly GraphProto _graph = new();
    private ControlFlowResolver _flow = null!;
    private string _currentNode = string.Empty;

    public GraphConverter(TfjsModel model, ConverterOptions options)
    {
        _model = model;
        _options = options;
        foreach (TfjsNode n in model.Nodes)
        {
            _nodes[n.Name] = n;
        }
    }

    public ConversionSummary? Summary { get; private set; }

    public ModelProto Convert()
    {
        _flow = new ControlFlowResolver(_nodes, EvaluatePredicate, _options.NonConstantSwitchBranch);
        _flow.Resolve(TopologicalOrder(_nodes.Keys, includeControl: true));

        // Outputs: from the signature when present, otherwise unconsumed nodes.
        var outputs = new List<(string Name, string Ref)>();
        if (_model.SignatureOutputs.Count > 0)
        {
            foreach (TfjsSignatureEntry e in _model.SignatureOutputs)
            {
                string key = e.Key.EndsWith(":0", StringComparison.Ordinal) ? e.Key[..^2] : e.Key;
                outputs.Add((key, TensorRef.Normalize(e.TensorName)));
            }
        }
        else
        {
            var consumed = new HashSet<string>(_model.Nodes.SelectMany(n => n.Inputs.Select(TensorRef.NodeName)), StringComparer.Ordinal);
            foreach (TfjsNode n in _model.Nodes.Where(n => !consumed.Contains(n.Name) && n.Op is not ("NoOp" or "Const") && !_flow.DeadNodes.Contains(n.Name)))
            {
                outputs.Add((n.Name, n.Name + ":0"));
            }
        }

        // Graph inputs: every live placeholder, in file order.
        var inputs = new List<TfjsSignatureEntry>();
        foreach (TfjsNode n in _model.Nodes.Where(n => n.Op == "Placeholder" && !_flow.DeadNodes.Contains(n.Name)))
        {
            TfDataType type = n.GetType("dtype", TfDataType.Float);
            long[]? shape = n.GetShape("shape");
            inputs.Add(new TfjsSignatureEntry(n.Name, n.Name + ":0", type, shape));
            _graph.Input.Add(MakeValueInfo(Reserve(n.Name), type, shape));
            _values[n.Name + ":0"] = new Value(n.Name, type, shape?.Length ?? -1);
        }

        var roots = outputs.Select(o => TensorRef.NodeName(_flow.Resolve(o.Ref))).Distinct().ToList();
        foreach (TfjsNode node in TopologicalOrder(roots, includeControl: false))
        {
            if (_values.ContainsKey(node.Name + ":0") && node.Op == "Placeholder")
            {
                continue;
            }

            _currentNode = node.Name;
            _tfOps[node.Op] = _tfOps.GetValueOrDefault(node.Op) + 1;
            ConvertNode(node);
        }

        var outputEntries = new List<TfjsSignatureEntry>();
        foreach ((string name, string reference) in outputs)
        {
            Value v = Get(reference);
            string tensor = Tf(v);
            string outName = Reserve(name);
            AddNode("Identity", [tensor], [outName]);
            long[]? declared = _model.SignatureOutputs.FirstOrDefault(e => TensorRef.Normalize(e.TensorName) == reference)?.Shape;
            _graph.Output.Add(MakeValueInfo(outName, v.Type, null));
            outputEntries.Add(new TfjsSignatureEntry(outName, reference, v.Type, declared));
        }

        _graph.Name = Path.GetFileNameWithoutExtension(_model.Path);
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = _options.ProducerName,
            ProducerVersion = "1.0",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });

        Summary = new ConversionSummary
        {
            TfOps = _tfOps,
            OnnxOps = _onnxOps,
            Inputs = inputs,
            Outputs = outputEntries,
            Notes = _flow.Notes,
        };
        return model;
    }

    // ---------------------------------------------------------------- graph traversal

    private List<TfjsNode> TopologicalOrder(IEnumerable<string> roots, bool includeControl)
    {
        var order = new List<TfjsNode>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = visiting, 2 = done
        foreach (string root in roots)
        {
            if (state.ContainsKey(root) || !_nodes.ContainsKey(root))
            {
                continue;
            }

            var stack = new Stack<(string Name, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                (string name, int next) = stack.Pop();
                TfjsNode node = _nodes[name];
                List<string> deps = Dependencies(node, includeControl);
                if (next < deps.Count)
                {
                    stack.Push((name, next + 1));
                    string dep = deps[next];
                    if (!state.ContainsKey(dep) && _nodes.ContainsKey(dep))
                    {
                        state[dep] = 1;
                        stack.Push((dep, 0));
                    }
                }
                else
                {
                    state[name] = 2;
                    order.Add(node);
                }
            }
        }

        return order;
    }

    private List<string> Dependencies(TfjsNode node, bool includeControl)
    {
        if (includeControl)
        {
            return node.Inputs.Select(TensorRef.NodeName).Concat(node.ControlInputs).ToList();
        }

        return node.Inputs.Select(i => TensorRef.NodeName(_flow.Resolve(TensorRef.Normalize(i)))).ToList();
    }

    private bool? EvaluatePredicate(string reference)
    {
        TensorData? c = TryEvaluateConstant(reference, 0);
        return c is null || c.ElementCount != 1 ? null : c.GetDouble(0) != 0;
    }

    /// <summary>Evaluates a tensor from constants alone (used for predicates before conversion).</summary>
    private TensorData? TryEvaluateConstant(string reference, int depth)
    {
        if (depth > 32 || !_nodes.TryGetValue(TensorRef.NodeName(reference), out TfjsNode? node))
        {
            return null;
        }

        switch (node.Op)
        {
            case "Const":
                return _model.Weights.GetValueOrDefault(node.Name);
            case "Identity" or "Squeeze" or "Reshape":
                TensorData? inner = TryEvaluateConstant(TensorRef.Normalize(node.Inputs[0]), depth + 1);
                return inner is null || inner.ElementCount != 1 ? (node.Op == "Identity" ? inner : null) : inner;
            case "Cast":
                return TryEvaluateConstant(TensorRef.Normalize(node.Inputs[0]), depth + 1)?.CastTo(node.GetType("DstT", TfDataType.Float));
            case "Equal" or "NotEqual" or "Greater" or "Less" or "GreaterEqual" or "LessEqual" or "LogicalAnd" or "LogicalOr":
                TensorData? a = TryEvaluateConstant(TensorRef.Normalize(node.Inputs[0]), depth + 1);
                TensorData? b = TryEvaluateConstant(TensorRef.Normalize(node.Inputs[1]), depth + 1);
                if (a is null || b is null || a.ElementCount != 1 || b.ElementCount != 1)
                {
                    return null;
                }

                double x = a.GetDouble(0), y = b.GetDouble(0);
                bool r = node.Op switch
                {
                    "Equal" => x == y,
                    "NotEqual" => x != y,
                    "Greater" => x > y,
                    "Less" => x < y,
                    "GreaterEqual" => x >= y,
                    "LessEqual" => x <= y,
                    "LogicalAnd" => x != 0 && y != 0,
                    _ => x != 0 || y != 0,
                };
                return new TensorData([], [r]);
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- values

    /// <summary>A TF tensor as it exists in the ONNX graph.</summary>
    private sealed class Value
    {
        public Value(string name, TfDataType type, int rank, TensorLayout layout = TensorLayout.Tf)
        {
            Name = name;
            Type = type;
            Rank = rank;
            Layout = layout;
        }

        public Value(TensorData constant)
        {
            Constant = constant;
            Type = constant.DataType;
            Rank = constant.Shape.Length;
        }

        /// <summary>The ONNX tensor name in <see cref="Layout"/>; null for a constant not yet materialised.</summary>
        public string? Name { get; set; }

        public TfDataType Type { get; }

        /// <summary>TF rank, or -1 when unknown.</summary>
        public int Rank { get; }

        public TensorLayout Layout { get; }

        public TensorData? Constant { get; }

        /// <summary>For a 1-D shape-like tensor: its element count when known (gives the rank of what it shapes).</summary>
        public int KnownLength { get; init; } = -1;

        /// <summary>Cached transposed copy (the other layout).</summary>
        public string? Other { get; set; }
    }

    private Value Get(string reference)
    {
        string r = _flow.Resolve(TensorRef.Normalize(reference));
        if (_values.TryGetValue(r, out Value? v))
        {
            return v;
        }

        if (_flow.MergeIndices.TryGetValue(r, out int index))
        {
            return new Value(new TensorData(TfDataType.Int32, [], [index]));
        }

        throw new InvalidOperationException($"Node '{_currentNode}': input '{reference}' has no converted value.");
    }

    private Value In(TfjsNode node, int index)
    {
        if (index >= node.Inputs.Count)
        {
            throw new InvalidDataException($"{node}: expected at least {index + 1} inputs.");
        }

        return Get(node.Inputs[index]);
    }

    private void Set(TfjsNode node, int output, Value value) => _values[node.Name + ":" + output] = value;

    private TensorData ConstIn(TfjsNode node, int index)
    {
        Value v = In(node, index);
        return v.Constant ?? throw new NotSupportedException($"{node}: input {index} ('{node.Inputs[index]}') must be a constant.");
    }

    /// <summary>The ONNX name of <paramref name="v"/> in TF (NHWC) layout.</summary>
    private string Tf(Value v)
    {
        if (v.Constant is not null)
        {
            return v.Name ??= AddInitializer(v.Constant, _currentNode + "/const");
        }

        if (v.Layout == TensorLayout.Tf)
        {
            return v.Name!;
        }

        return v.Other ??= Emit("Transpose", [v.Name!], v.Name + "/nhwc", ("perm", ToNhwc));
    }

    /// <summary>The ONNX name of <paramref name="v"/> (assumed rank 4) in NCHW layout.</summary>
    private string Nchw(Value v)
    {
        if (v.Layout == TensorLayout.Nchw)
        {
            return v.Name!;
        }

        if (v.Constant is not null)
        {
            return v.Other ??= AddInitializer(RelayoutConstant(v.Constant), _currentNode + "/const_nchw");
        }

        return v.Other ??= Emit("Transpose", [v.Name!], v.Name + "/nchw", ("perm", ToNchw));
    }

    /// <summary>A constant of rank ≤ 4, broadcast-padded to rank 4 and permuted NHWC→NCHW.</summary>
    private static TensorData RelayoutConstant(TensorData c)
    {
        if (c.Shape.Length == 0)
        {
            return c;
        }

        long[] s = new long[4];
        int pad = 4 - c.Shape.Length;
        for (int i = 0; i < 4; i++)
        {
            s[i] = i < pad ? 1 : c.Shape[i - pad];
        }

        return Transpose(c, s, ToNchw);
    }

    private static TensorData Transpose(TensorData c, long[] shape, int[] perm)
    {
        int rank = shape.Length;
        long[] outShape = perm.Select(p => shape[p]).ToArray();
        long n = c.ElementCount;
        long[] inStrides = Strides(shape);
        long[] outStrides = Strides(outShape);
        var map = new long[n];
        var idx = new long[rank];
        for (long o = 0; o < n; o++)
        {
            long rem = o, src = 0;
            for (int d = 0; d < rank; d++)
            {
                idx[d] = rem / outStrides[d];
                rem %= outStrides[d];
                src += idx[d] * inStrides[perm[d]];
            }

            map[o] = src;
        }

        if (c.Floats is not null)
        {
            return new TensorData(outShape, map.Select(i => c.Floats[i]).ToArray());
        }

        if (c.Ints is not null)
        {
            return new TensorData(c.DataType, outShape, map.Select(i => c.Ints[i]).ToArray());
        }

        return new TensorData(outShape, map.Select(i => c.Bools![i]).ToArray());
    }

    private static long[] Strides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }

        return s;
    }

    // ---------------------------------------------------------------- emission

    private string Reserve(string hint)
    {
        string name = hint;
        int k = 1;
        while (!_names.Add(name))
        {
            name = hint + "_" + k++;
        }

        return name;
    }

    private NodeProto AddNode(string op, IEnumerable<string> inputs, IEnumerable<string> outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Reserve("n:" + _currentNode + "/" + op) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach ((string name, object value) in attributes)
        {
            node.Attribute.Add(MakeAttribute(name, value));
        }

        _graph.Node.Add(node);
        _onnxOps[op] = _onnxOps.GetValueOrDefault(op) + 1;
        return node;
    }

    private string Emit(string op, IEnumerable<string> inputs, string? hint = null, params (string Name, object Value)[] attributes)
    {
        string output = Reserve(hint ?? _currentNode + "/" + op);
        AddNode(op, inputs, [output], attributes);
        return output;
    }

    private string[] EmitMulti(string op, IEnumerable<string> inputs, int outputs, params (string Name, object Value)[] attributes)
    {
        string[] names = Enumerable.Range(0, outputs).Select(i => Reserve(_currentNode + "/" + op + ":" + i)).ToArray();
        AddNode(op, inputs, names, attributes);
        return names;
    }

    private static AttributeProto MakeAttribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int or long:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case float f:
                a.Type = AttributeProto.Types.AttributeType.Float;
                a.F = f;
                break;
            case string s:
                a.Type = AttributeProto.Types.AttributeType.String;
                a.S = ByteString.CopyFromUtf8(s);
                break;
            case int[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints.Select(x => (long)x));
                break;
            case long[] longs:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(longs);
                break;
            case float[] floats:
                a.Type = AttributeProto.Types.AttributeType.Floats;
                a.Floats.AddRange(floats);
                break;
            case TensorProto t:
                a.Type = AttributeProto.Types.AttributeType.Tensor;
                a.T = t;
                break;
            default:
                throw new ArgumentException($"Unsupported attribute value type {value.GetType()}.", nameof(value));
        }

        return a;
    }

    private string AddInitializer(TensorData data, string hint)
    {
        string name = Reserve(hint);
        TensorProto t = MakeTensor(data);
        t.Name = name;
        _graph.Initializer.Add(t);
        return name;
    }

    private static TensorProto MakeTensor(TensorData data)
    {
        var t = new TensorProto { DataType = TfDataTypes.ToOnnx(data.DataType) };
        t.Dims.AddRange(data.Shape);
        switch (data.DataType)
        {
            case TfDataType.Float:
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Floats.AsSpan()));
                break;
            case TfDataType.Int64:
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Ints.AsSpan()));
                break;
            case TfDataType.Int32:
                t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Ints!.Select(x => (int)x).ToArray().AsSpan()));
                break;
            case TfDataType.UInt8:
                t.RawData = ByteString.CopyFrom(data.Ints!.Select(x => (byte)x).ToArray());
                break;
            case TfDataType.Bool:
                t.RawData = ByteString.CopyFrom(data.Bools!.Select(x => x ? (byte)1 : (byte)0).ToArray());
                break;
            default:
                throw new NotSupportedException($"Constants of type {data.DataType} are not supported.");
        }

        return t;
    }

    private static ValueInfoProto MakeValueInfo(string name, TfDataType type, long[]? shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = TfDataTypes.ToOnnx(type) };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            for (int i = 0; i < shape.Length; i++)
            {
                tensorType.Shape.Dim.Add(shape[i] >= 0
                    ? new TensorShapeProto.Types.Dimension { DimValue = shape[i] }
                    : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_d{i}" });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private string Int64Const(params long[] values) => AddInitializer(new TensorData(TfDataType.Int64, [values.Length], values), _currentNode + "/i64");

    private string ScalarInt64(long value) => AddInitializer(new TensorData(TfDataType.Int64, [], [value]), _currentNode + "/i64");

    private string FloatScalar(float value) => AddInitializer(new TensorData([], [value]), _currentNode + "/f32");

    /// <summary>The value as an int64 tensor (constant folded where possible).</summary>
    private string AsInt64(Value v)
    {
        if (v.Constant is not null)
        {
            return AddInitializer(v.Constant.CastTo(TfDataType.Int64), _currentNode + "/i64");
        }

        string name = Tf(v);
        return v.Type == TfDataType.Int64 ? name : Emit("Cast", [name], null, ("to", (int)TensorProto.Types.DataType.Int64));
    }
}
