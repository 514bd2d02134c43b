using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// Prepends a model's pixel preprocessing to its graph, so that the caller feeds the letterboxed uint8 BGR image
/// (<c>[N,H,W,3]</c>, or <c>[H,W,3]</c> for <see cref="PixelLayout.Chw"/>) and the cast, channel order, scale and
/// layout change run inside the model, on whatever device runs the model.
/// </summary>
/// <remarks>
/// <para>
/// The composed model's input keeps the name <see cref="PixelPreprocessOptions.InputName"/> (callers bind the same
/// name, now with a byte buffer); its N, H and W dimensions are the original ones, static or symbolic. Inside, the
/// original consumers read a new tensor named <c>&lt;input&gt;/preprocessed</c> (suffixed if that name is taken).
/// Every other input, output, initializer, value_info entry, opset import and metadata entry is kept; one metadata
/// entry, <see cref="MetadataKey"/>, is added describing the pixel math.
/// </para>
/// <para>
/// The nodes, in order, first on the bytes (a quarter of the float data to move): <c>Transpose</c> to NCHW or CHW,
/// and <c>Gather</c> of the channel planes with indices [2,1,0] when the model wants RGB (an NHWC model that wants RGB
/// gets a <c>Transpose</c> back to NHWC after it); then <c>Cast</c> to float, <c>Mul</c> by the scale and <c>Add</c>
/// of the offset (each left out when it is the identity); then, for an int32 input, <c>Cast</c> to int32, which
/// truncates toward zero as <c>(int)</c> does in C#. An int32 input with scale 1 and offset 0 (MoveNet) is a single
/// exact <c>Cast</c> from uint8. Constants are <c>Constant</c> nodes, so models of
/// any IR version stay valid. All of these ops exist with these semantics from default-domain opset 7.
/// </para>
/// <para>
/// The letterbox resize and its padding stay with the caller, on the CPU: the pad value is a byte there, and the graph
/// maps it like every other pixel. Models whose weights live in external files must be composed through
/// <see cref="Prepend(ModelProto)"/> and saved next to those files; the byte overload cannot resolve them.
/// </para>
/// <example>
/// <code>
/// var composer = new PreprocessGraphComposer(new PixelPreprocessOptions
/// {
///     InputName = "images", Layout = PixelLayout.Nchw, Rgb = true, Scale = [1f / 255f],
/// });
/// byte[] composed = composer.Prepend(File.ReadAllBytes("yolo.onnx"));
/// using var session = new InferenceSession(composed, sessionOptions);
/// // bind "images" to a byte tensor of composer.InputShapeFor(640, 640) = [1, 640, 640, 3] holding BGR pixels.
/// </code>
/// </example>
/// </remarks>
public sealed class PreprocessGraphComposer
{
    /// <summary>The <c>metadata_props</c> key the composer adds, describing the pixel math.</summary>
    public const string MetadataKey = "streamseg.preprocess";

    private const int MinimumOpset = 7;

    private readonly PixelPreprocessOptions _options;

    /// <summary>Creates a composer for <paramref name="options"/>, which it validates.</summary>
    public PreprocessGraphComposer(PixelPreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Gets the options.</summary>
    public PixelPreprocessOptions Options => _options;

    /// <summary>Gets the shape of the uint8 input for a <paramref name="width"/>×<paramref name="height"/> image and batch 1.</summary>
    public long[] InputShapeFor(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return _options.Layout == PixelLayout.Chw ? [height, width, 3] : [1, height, width, 3];
    }

    /// <summary>Returns a copy of <paramref name="model"/> with the preprocessing prepended; the argument is not changed.</summary>
    /// <exception cref="ArgumentException">The model has no input named <see cref="PixelPreprocessOptions.InputName"/>.</exception>
    /// <exception cref="NotSupportedException">
    /// The input's type or shape does not fit the options (not float32 or int32, wrong rank, a channel axis other than
    /// 3), it is also a graph output or an initializer, or the model's default-domain opset is below 7.
    /// </exception>
    public ModelProto Prepend(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto composed = model.Clone();
        Compose(composed);
        return composed;
    }

    /// <summary>Parses <paramref name="model"/> (ONNX protobuf bytes), prepends the preprocessing and returns the new model's bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    /// <inheritdoc cref="Prepend(ModelProto)" path="/exception"/>
    public byte[] Prepend(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto = OnnxModelBytes.Parse(model);

        Compose(proto);
        return proto.ToByteArray();
    }

    private void Compose(ModelProto model)
    {
        GraphProto graph = model.Graph ?? throw new InvalidDataException("The model has no graph.");
        string name = _options.InputName;
        CheckOpset(model, name);

        int index = IndexOfInput(graph, name);
        if (index < 0)
        {
            string available = string.Join(", ", graph.Input.Select(i => $"'{i.Name}'"));
            throw new ArgumentException($"The model has no input '{name}'; its inputs are {available}.", nameof(model));
        }

        ValueInfoProto original = graph.Input[index];
        if (graph.Initializer.Any(t => t.Name == name))
        {
            throw new NotSupportedException($"Model input '{name}' has an initializer (a default value); only a plain image input can be replaced.");
        }

        if (graph.Output.Any(o => o.Name == name))
        {
            throw new NotSupportedException($"Model input '{name}' is also a graph output; it cannot be replaced by a uint8 input.");
        }

        TypeProto.Types.Tensor tensor = CheckType(original, name);
        var names = new HashSet<string>(StringComparer.Ordinal);
        CollectNames(graph, names);
        string prefix = "preprocess/" + name + "/";
        string preprocessed = Reserve(names, name + "/preprocessed");

        RenameUses(graph, name, preprocessed);
        foreach (ValueInfoProto info in graph.ValueInfo.Where(v => v.Name == name))
        {
            info.Name = preprocessed;
        }

        var nodes = new List<NodeProto>();
        string current = name;
        bool batched = _options.Layout != PixelLayout.Chw;
        if (_options.Layout != PixelLayout.Nhwc || _options.Rgb)
        {
            // The channel swap gathers whole planes: ONNX Runtime's CPU Gather copies one block per index and outer
            // position, so on the interleaved last axis it makes one 1-byte copy per value (17 times slower at 640×640).
            long[] toPlanar = batched ? [0, 3, 1, 2] : [2, 0, 1];
            current = Emit(nodes, names, prefix, "Transpose", [current], ("perm", toPlanar));
            if (_options.Rgb)
            {
                string indices = Constant(nodes, names, prefix + "bgr_to_rgb", Int64Tensor([3], [2, 1, 0]));
                current = Emit(nodes, names, prefix, "Gather", [current, indices], ("axis", batched ? 1L : 0L));
            }

            if (_options.Layout == PixelLayout.Nhwc)
            {
                current = Emit(nodes, names, prefix, "Transpose", [current], ("perm", new long[] { 0, 2, 3, 1 }));
            }
        }

        bool int32 = tensor.ElemType == (int)TensorProto.Types.DataType.Int32;
        bool unitScale = Enumerable.Range(0, 3).All(c => _options.ScaleOf(c) == 1f);
        bool zeroOffset = Enumerable.Range(0, 3).All(c => _options.OffsetOf(c) == 0f);
        if (int32 && unitScale && zeroOffset)
        {
            // Exact: every byte is an int32; no float round trip, so no rounding question at all.
            current = Emit(nodes, names, prefix, "Cast", [current], ("to", (long)TensorProto.Types.DataType.Int32));
        }
        else
        {
            current = Emit(nodes, names, prefix, "Cast", [current], ("to", (long)TensorProto.Types.DataType.Float));
            if (!unitScale)
            {
                string scale = Constant(nodes, names, prefix + "scale", ChannelTensor(_options.ScaleOf));
                current = Emit(nodes, names, prefix, "Mul", [current, scale]);
            }

            if (!zeroOffset)
            {
                string offset = Constant(nodes, names, prefix + "offset", ChannelTensor(_options.OffsetOf));
                current = Emit(nodes, names, prefix, "Add", [current, offset]);
            }

            if (int32)
            {
                current = Emit(nodes, names, prefix, "Cast", [current], ("to", (long)TensorProto.Types.DataType.Int32));
            }
        }

        // The last node writes the tensor the original consumers now read.
        NodeProto last = nodes[^1];
        Debug.Assert(last.Output[0] == current, "the last node emitted produces the current tensor");
        last.Output[0] = preprocessed;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(0, nodes[i]);
        }

        graph.Input[index] = RawInput(original, tensor, name);
        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = _options.Describe() });
    }

    private static void CheckOpset(ModelProto model, string name)
    {
        OperatorSetIdProto? onnx = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (onnx is null || onnx.Version < MinimumOpset)
        {
            string found = onnx is null ? "no default-domain opset" : $"opset {onnx.Version}";
            throw new NotSupportedException($"Cannot prepend preprocessing to input '{name}': the model declares {found}; at least opset {MinimumOpset} is needed.");
        }
    }

    private static int IndexOfInput(GraphProto graph, string name)
    {
        for (int i = 0; i < graph.Input.Count; i++)
        {
            if (graph.Input[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private TypeProto.Types.Tensor CheckType(ValueInfoProto input, string name)
    {
        TypeProto.Types.Tensor? tensor = input.Type?.TensorType;
        bool batched = _options.Layout != PixelLayout.Chw;
        int rank = batched ? 4 : 3;
        int channelAxis = _options.Layout switch
        {
            PixelLayout.Nchw => 1,
            PixelLayout.Nhwc => 3,
            _ => 0,
        };
        string expected = _options.Layout switch
        {
            PixelLayout.Nchw => "[N,3,H,W]",
            PixelLayout.Nhwc => "[N,H,W,3]",
            _ => "[3,H,W]",
        };
        string what = $"{_options.Layout.ToString().ToUpperInvariant()} preprocessing expects a float or int32 tensor {expected} (rank {rank}, 3 channels)";
        if (tensor is null)
        {
            throw new NotSupportedException($"Model input '{name}' is not a tensor; {what}.");
        }

        if (tensor.ElemType is not ((int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Int32))
        {
            string hint = tensor.ElemType == (int)TensorProto.Types.DataType.Uint8 ? " (is the preprocessing already prepended?)" : string.Empty;
            throw new NotSupportedException($"Model input '{name}' is {Describe(tensor)}; {what}{hint}.");
        }

        if (tensor.Shape is null || tensor.Shape.Dim.Count != rank)
        {
            throw new NotSupportedException($"Model input '{name}' is {Describe(tensor)}; {what}.");
        }

        TensorShapeProto.Types.Dimension channels = tensor.Shape.Dim[channelAxis];
        if (channels.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && channels.DimValue != 3)
        {
            throw new NotSupportedException($"Model input '{name}' is {Describe(tensor)}, with {channels.DimValue} channels on axis {channelAxis}; {what}.");
        }

        return tensor;
    }

    /// <summary>The new uint8 input: the original N, H and W dimensions (static or symbolic) with 3 channels last.</summary>
    private ValueInfoProto RawInput(ValueInfoProto original, TypeProto.Types.Tensor tensor, string name)
    {
        int[] source = _options.Layout switch
        {
            PixelLayout.Nchw => [0, 2, 3],
            PixelLayout.Nhwc => [0, 1, 2],
            _ => [1, 2],
        };
        var shape = new TensorShapeProto();
        foreach (int axis in source)
        {
            shape.Dim.Add(tensor.Shape.Dim[axis].Clone());
        }

        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 3 });
        string layout = _options.Layout == PixelLayout.Chw ? "[H,W,3]" : "[N,H,W,3]";
        string doc = $"uint8 BGR pixels {layout}, preprocessed in the graph ({_options.Describe()}).";
        return new ValueInfoProto
        {
            Name = name,
            DocString = string.IsNullOrEmpty(original.DocString) ? doc : original.DocString + " " + doc,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Uint8, Shape = shape },
                Denotation = original.Type.Denotation,
            },
        };
    }

    /// <summary>A per-channel constant shaped to broadcast over the channel axis of the preprocessed tensor (a scalar when uniform).</summary>
    private TensorProto ChannelTensor(Func<int, float> valueOf)
    {
        float[] values = [valueOf(0), valueOf(1), valueOf(2)];
        if (values[0] == values[1] && values[1] == values[2])
        {
            return FloatTensor([], [values[0]]);
        }

        return FloatTensor(_options.Layout == PixelLayout.Nhwc ? [3] : [3, 1, 1], values);
    }

    private static string Constant(List<NodeProto> nodes, HashSet<string> names, string hint, TensorProto value)
    {
        string output = Reserve(names, hint);
        var node = new NodeProto { OpType = "Constant", Name = Reserve(names, "n:" + hint) };
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        nodes.Add(node);
        return output;
    }

    private static string Emit(List<NodeProto> nodes, HashSet<string> names, string prefix, string op, string[] inputs, params (string Name, object Value)[] attributes)
    {
        string output = Reserve(names, prefix + op.ToLowerInvariant());
        var node = new NodeProto { OpType = op, Name = Reserve(names, "n:" + prefix + op) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach ((string attributeName, object value) in attributes)
        {
            node.Attribute.Add(value switch
            {
                long l => new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Int, I = l },
                long[] ls => IntsAttribute(attributeName, ls),
                _ => throw new ArgumentException($"Unsupported attribute value type {value.GetType()}.", nameof(attributes)),
            });
        }

        nodes.Add(node);
        return output;
    }

    private static AttributeProto IntsAttribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto FloatTensor(long[] dims, float[] values)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static TensorProto Int64Tensor(long[] dims, long[] values)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static string Reserve(HashSet<string> names, string hint)
    {
        string name = hint;
        for (int k = 1; !names.Add(name); k++)
        {
            name = hint + "_" + k.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>Every name the graph and its subgraphs use: values, initializers and nodes.</summary>
    private static void CollectNames(GraphProto graph, HashSet<string> names)
    {
        names.UnionWith(graph.Input.Select(v => v.Name));
        names.UnionWith(graph.Output.Select(v => v.Name));
        names.UnionWith(graph.ValueInfo.Select(v => v.Name));
        names.UnionWith(graph.Initializer.Select(t => t.Name));
        names.UnionWith(graph.SparseInitializer.Select(t => t.Values?.Name ?? string.Empty));
        foreach (NodeProto node in graph.Node)
        {
            names.Add(node.Name);
            names.UnionWith(node.Input);
            names.UnionWith(node.Output);
            foreach (GraphProto subgraph in Subgraphs(node))
            {
                CollectNames(subgraph, names);
            }
        }
    }

    /// <summary>Points every use of <paramref name="from"/> at <paramref name="to"/>, in subgraphs too unless they define their own <paramref name="from"/>.</summary>
    private static void RenameUses(GraphProto graph, string from, string to)
    {
        foreach (NodeProto node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }

            foreach (GraphProto subgraph in Subgraphs(node))
            {
                bool shadows = subgraph.Input.Any(v => v.Name == from)
                    || subgraph.Initializer.Any(t => t.Name == from)
                    || subgraph.Node.Any(n => n.Output.Contains(from));
                if (!shadows)
                {
                    RenameUses(subgraph, from, to);
                    foreach (ValueInfoProto output in subgraph.Output.Where(o => o.Name == from))
                    {
                        output.Name = to;
                    }
                }
            }
        }
    }

    private static IEnumerable<GraphProto> Subgraphs(NodeProto node)
    {
        foreach (AttributeProto attribute in node.Attribute)
        {
            if (attribute.G is not null)
            {
                yield return attribute.G;
            }

            foreach (GraphProto g in attribute.Graphs)
            {
                yield return g;
            }
        }
    }

    private static string Describe(TypeProto.Types.Tensor tensor)
    {
        string type = Enum.IsDefined(typeof(TensorProto.Types.DataType), tensor.ElemType)
            ? ((TensorProto.Types.DataType)tensor.ElemType).ToString()
            : "type " + tensor.ElemType.ToString(CultureInfo.InvariantCulture);
        if (tensor.Shape is null)
        {
            return type + " of unknown rank";
        }

        IEnumerable<string> dims = tensor.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        });
        return $"{type}[{string.Join(",", dims)}]";
    }
}
