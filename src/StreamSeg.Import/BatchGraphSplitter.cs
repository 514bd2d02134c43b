using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// Splits a model whose graph fixes the batch at 1 only in its last steps (MoveNet MultiPose as imported: a
/// batch-agnostic MobileNetV2-FPN backbone and heads, then post-processing that squeezes and reshapes with the batch
/// baked in) into a batched part and a per-frame part, so that several frames share one run of the heavy part.
/// </summary>
/// <remarks>
/// <para>The walk starts at the single image input (a <see cref="FactKind.Batched"/> tensor) and follows the graph in
/// order with <see cref="BatchAxisRules"/>, marking each node whose outputs keep the batch axis free. The per-frame
/// part is everything the outputs need that is not so marked, walking back from the outputs; where it reads a marked
/// tensor (a head's feature map, or a tensor whose shape it reads), that tensor is cut: an output of the batched part
/// and an input of the per-frame part. The batched part is what the cut tensors need. Constants and shape arithmetic
/// needed by both are in both (they are pure). Initializers go with the nodes that read them.</para>
/// <para>The batched part's input and outputs have a symbolic first dimension (<c>batch</c>); the per-frame part's
/// inputs are declared at batch 1, other dimensions symbolic. Running the batched part on N stacked frames and the
/// per-frame part on each frame's rows gives each frame what the whole model gives it. A model with several inputs,
/// control flow, no batch-free part or nothing after it is not split, and <see cref="BatchGraphSplit.Description"/>
/// says why.</para>
/// </remarks>
public static class BatchGraphSplitter
{
    private const string BatchDim = "batch";

    private static readonly HashSet<string> Heavy = new(StringComparer.Ordinal) { "Conv", "ConvTranspose", "MatMul", "Gemm" };

    /// <summary>Splits <paramref name="model"/> (ONNX bytes) at its image input <paramref name="inputName"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static BatchGraphSplit Split(byte[] model, string inputName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputName);
        ModelProto proto = OnnxModelBytes.Parse(model);

        return Split(proto, inputName);
    }

    /// <summary>Splits <paramref name="model"/> at its image input <paramref name="inputName"/>; the argument is not changed.</summary>
    public static BatchGraphSplit Split(ModelProto model, string inputName)
    {
        ArgumentNullException.ThrowIfNull(model);
        GraphProto graph = model.Graph ?? throw new InvalidDataException("The model has no graph.");
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        List<ValueInfoProto> inputs = [.. graph.Input.Where(i => !initializers.ContainsKey(i.Name))];
        if (inputs.Count != 1 || inputs[0].Name != inputName)
        {
            return BatchGraphSplit.NotSplit($"the graph has {inputs.Count} inputs; only a single image input '{inputName}' is split");
        }

        if (inputs[0].Type?.TensorType is not { Shape: { } shape } tensor || shape.Dim.Count == 0)
        {
            return BatchGraphSplit.NotSplit($"input '{inputName}' has no declared rank");
        }

        if (graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
        {
            return BatchGraphSplit.NotSplit("the graph has control flow (a node with a subgraph)");
        }

        long opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;
        var facts = new Dictionary<string, TensorFact>(StringComparer.Ordinal) { [inputName] = TensorFact.Batched(shape.Dim.Count, tensor.ElemType) };
        foreach (TensorProto t in graph.Initializer)
        {
            facts[t.Name] = OnnxTensors.Fact(t);
        }

        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var batched = new bool[graph.Node.Count];
        for (int n = 0; n < graph.Node.Count; n++)
        {
            NodeProto node = graph.Node[n];
            var known = new TensorFact?[node.Input.Count];
            for (int i = 0; i < known.Length; i++)
            {
                known[i] = node.Input[i].Length == 0 ? null : facts.GetValueOrDefault(node.Input[i], TensorFact.Unknown);
            }

            TensorFact[] outs = BatchAxisRules.Infer(node, known, opset);
            for (int o = 0; o < outs.Length; o++)
            {
                facts[node.Output[o]] = outs[o];
                producer[node.Output[o]] = n;
                batched[n] |= outs[o].Kind == FactKind.Batched;
            }
        }

        // The per-frame part: back from the outputs, stopping at batched tensors (they are cut).
        var head = new bool[graph.Node.Count];
        var cut = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(graph.Output.Select(o => o.Name));
        bool readsInput = false;
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (name.Length == 0 || !seen.Add(name) || initializers.ContainsKey(name))
            {
                continue;
            }

            if (name == inputName)
            {
                readsInput = true;
                continue;
            }

            if (!producer.TryGetValue(name, out int n))
            {
                return BatchGraphSplit.NotSplit($"tensor '{name}' has no producer");
            }

            if (batched[n])
            {
                cut.Add(name);
                continue;
            }

            head[n] = true;
            foreach (string read in graph.Node[n].Input)
            {
                pending.Push(read);
            }
        }

        if (cut.Count == 0)
        {
            return BatchGraphSplit.NotSplit("no part of the graph keeps the batch axis free");
        }

        if (readsInput)
        {
            return BatchGraphSplit.NotSplit($"the part with the batch fixed reads the input '{inputName}' itself");
        }

        if (graph.Output.FirstOrDefault(o => cut.Contains(o.Name)) is { } free)
        {
            return BatchGraphSplit.NotSplit($"output '{free.Name}' keeps the batch axis free all the way (nothing to split)");
        }

        if (cut.Find(c => facts[c].Rank <= 0 || facts[c].ElementType == 0) is string untyped)
        {
            return BatchGraphSplit.NotSplit($"the rank or element type of cut tensor '{untyped}' is not known");
        }

        // Ordered as the graph produces them, so the same model always gives the same parts.
        cut.Sort((a, b) => producer[a].CompareTo(producer[b]) is int c and not 0 ? c : string.CompareOrdinal(a, b));
        bool[] backbone = Ancestors(graph, producer, cut);
        ModelProto front = Part(model, backbone, initializers);
        ValueInfoProto input = inputs[0].Clone();
        input.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = BatchDim };
        front.Graph.Input.Add(input);
        front.Graph.Output.AddRange(cut.Select((c, i) => Declare(c, facts[c], BatchDim, i)));

        ModelProto back = Part(model, head, initializers);
        back.Graph.Input.AddRange(cut.Select((c, i) => Declare(c, facts[c], null, i)));
        back.Graph.Output.AddRange(graph.Output.Select(o => o.Clone()));

        string description = string.Create(CultureInfo.InvariantCulture,
            $"batched part {front.Graph.Node.Count} nodes ({Count(front, Heavy)} convolutions and matrix products), per-frame part {back.Graph.Node.Count} nodes ({Count(back, Heavy)}), cut at {cut.Count} tensors");
        return new BatchGraphSplit(front.ToByteArray(), back.ToByteArray(), cut, description);
    }

    private static bool[] Ancestors(GraphProto graph, Dictionary<string, int> producer, List<string> roots)
    {
        var keep = new bool[graph.Node.Count];
        var pending = new Stack<string>(roots);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (name.Length == 0 || !seen.Add(name) || !producer.TryGetValue(name, out int n) || keep[n])
            {
                continue;
            }

            keep[n] = true;
            foreach (string input in graph.Node[n].Input)
            {
                pending.Push(input);
            }
        }

        return keep;
    }

    /// <summary>A copy of <paramref name="model"/> whose graph has the kept nodes (in order) and the initializers they read, no inputs or outputs yet.</summary>
    private static ModelProto Part(ModelProto model, bool[] keep, Dictionary<string, TensorProto> initializers)
    {
        GraphProto source = model.Graph;
        var part = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            Domain = model.Domain,
            ModelVersion = model.ModelVersion,
            DocString = model.DocString,
            Graph = new GraphProto { Name = source.Name },
        };
        part.OpsetImport.AddRange(model.OpsetImport);
        part.MetadataProps.AddRange(model.MetadataProps);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int n = 0; n < keep.Length; n++)
        {
            if (keep[n])
            {
                part.Graph.Node.Add(source.Node[n]);
                used.UnionWith(source.Node[n].Input);
            }
        }

        // Initializers in the model's order: the same model gives the same bytes (and TensorRT cache key).
        part.Graph.Initializer.AddRange(source.Initializer.Where(t => used.Contains(t.Name) && initializers.ContainsKey(t.Name)));
        return part;
    }

    /// <summary>Declares a cut tensor: first dimension <paramref name="batch"/> (symbolic) or 1, the others symbolic.</summary>
    private static ValueInfoProto Declare(string name, TensorFact fact, string? batch, int index)
    {
        var shape = new TensorShapeProto();
        for (int d = 0; d < fact.Rank; d++)
        {
            shape.Dim.Add(d == 0
                ? (batch is null ? new TensorShapeProto.Types.Dimension { DimValue = 1 } : new TensorShapeProto.Types.Dimension { DimParam = batch })
                : new TensorShapeProto.Types.Dimension { DimParam = string.Create(CultureInfo.InvariantCulture, $"cut{index}_d{d}") });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = fact.ElementType, Shape = shape } },
        };
    }

    private static int Count(ModelProto part, HashSet<string> ops) => part.Graph.Node.Count(n => ops.Contains(n.OpType));
}
