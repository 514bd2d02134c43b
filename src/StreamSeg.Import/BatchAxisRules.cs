using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// Rules, op by op, for which node outputs keep the graph input's batch axis free: given the facts of a node's inputs,
/// the facts of its outputs (<see cref="TensorFact"/>). What <see cref="BatchGraphSplitter"/> walks the graph with.
/// </summary>
/// <remarks>
/// <para>Conservative by design: an op is batch-preserving only when the rule can prove, from the graph alone, that
/// row <c>b</c> of each output depends only on row <c>b</c> of its batched inputs and that no dimension of the
/// result is fixed to the batch size it was exported at. Element-wise ops (constants may broadcast only along other
/// axes), convolutions, pooling and normalisation, and ops whose axis attribute leaves axis 0 alone (Transpose with
/// <c>perm[0] = 0</c>, Concat, Split, Softmax, reductions, Slice, Gather, Squeeze, Unsqueeze) qualify; so do
/// Resize and Reshape when their scale along axis 0 is 1 or their size there is read from the tensor's own shape
/// (a <see cref="FactKind.ShapeValue"/> tagged <see cref="DimTag.Batch"/>), and Reshape to a shape that starts with
/// 0 (copy the batch). Anything else, any op of another domain, and any op fed a tensor the rules know nothing
/// about, is <see cref="FactKind.Other"/>.</para>
/// <para>Shapes read with <c>Shape</c> are tracked element by element through the small integer arithmetic exporters
/// build sizes with (Gather, Slice, Concat, Cast, Squeeze, Unsqueeze, Reshape, and arithmetic with constants), so
/// that a size made of the batch and other dimensions is told apart from one that fixes the batch.</para>
/// </remarks>
internal static class BatchAxisRules
{
    private const int Bool = 9;

    private static readonly HashSet<string> Unary = new(StringComparer.Ordinal)
    {
        "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Abs", "Neg", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Erf",
        "Sin", "Cos", "LeakyRelu", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Gelu",
        "Mish", "Identity", "Not", "IsNaN", "IsInf", "Sign", "ThresholdedRelu", "Clip", "Dropout",
    };

    private static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Mod", "PRelu", "Where",
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "BitShift",
    };

    private static readonly HashSet<string> Logical = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> SameRank = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
        "BatchNormalization", "InstanceNormalization", "LRN", "DepthToSpace", "SpaceToDepth",
    };

    private static readonly HashSet<string> Reductions = new(StringComparer.Ordinal)
    {
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare",
    };

    /// <summary>
    /// Gets the facts of <paramref name="node"/>'s outputs from those of its inputs (null for an absent optional input);
    /// <paramref name="opset"/> is the model's default-domain opset.
    /// </summary>
    public static TensorFact[] Infer(NodeProto node, IReadOnlyList<TensorFact?> inputs, long opset)
    {
        var outputs = new TensorFact[node.Output.Count];
        Array.Fill(outputs, TensorFact.Unknown);
        if (node.Domain is not ("" or "ai.onnx") || node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
        {
            return outputs;
        }

        if (node.OpType == "Constant")
        {
            outputs[0] = ConstantFact(node);
            return outputs;
        }

        if (inputs.Count == 0 || inputs[0] is null)
        {
            // A source of its own (RandomNormal…) or an absent first input: nothing to prove about it.
            return outputs;
        }

        bool anyBatched = false;
        bool anyShape = false;
        foreach (TensorFact? f in inputs)
        {
            if (f is { Kind: FactKind.Other })
            {
                return outputs;
            }

            anyBatched |= f?.Kind == FactKind.Batched;
            anyShape |= f?.Kind == FactKind.ShapeValue;
        }

        if (!anyBatched && !anyShape)
        {
            // Computed from constants alone: the same at any batch (its values are not folded here).
            Array.Fill(outputs, new TensorFact(FactKind.Const));
            return outputs;
        }

        if (!anyBatched)
        {
            outputs[0] = node.Output.Count == 1 ? ShapeArithmetic.Infer(node, inputs) : TensorFact.Unknown;
            return outputs;
        }

        TensorFact x = inputs[0]!;
        if (node.OpType == "Shape")
        {
            outputs[0] = x.Kind == FactKind.Batched && x.Rank > 0 ? ShapeOf(node, x.Rank) : TensorFact.Unknown;
            return outputs;
        }

        TensorFact? result = BatchedOutput(node, inputs, opset);
        if (result is not null)
        {
            // Split gives every output the same rank and type; the other ops here have one batched output (Dropout's
            // mask and BatchNormalization's training outputs are batched or absent).
            Array.Fill(outputs, result);
        }

        return outputs;
    }

    private static TensorFact? BatchedOutput(NodeProto node, IReadOnlyList<TensorFact?> inputs, long opset)
    {
        TensorFact x = inputs[0]!;
        string op = node.OpType;
        if (x.Kind != FactKind.Batched)
        {
            // Only Where may have a batched tensor elsewhere than first; handled with the element-wise ops.
            return op == "Where" ? ElementWiseFact(node, inputs) : null;
        }

        int rank = x.Rank;
        switch (op)
        {
            case "Cast":
                return OthersConst(inputs, 1) ? TensorFact.Batched(rank, (int)Attr(node, "to", 0)) : null;
            case "CastLike":
                return inputs.Count == 2 && inputs[1] is { Kind: FactKind.Const or FactKind.Batched } ? TensorFact.Batched(rank, 0) : null;
            case "MaxPool":
                return node.Output.Count == 1 && OthersConst(inputs, 1) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Transpose":
                return Ints(node, "perm") is { Length: > 0 } perm && perm[0] == 0 && perm.Length == rank ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Concat":
                return Axis(node, "axis", 0, rank) > 0 && inputs.All(f => f is { Kind: FactKind.Batched } b && b.Rank == rank) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Split":
                return Axis(node, "axis", 0, rank) > 0 && OthersConst(inputs, 1) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Softmax" or "LogSoftmax" or "Hardmax":
                return Axis(node, "axis", opset >= 13 ? -1 : 1, rank) > 0 ? TensorFact.Batched(rank, x.ElementType) : null;
            case "LayerNormalization":
                return Axis(node, "axis", -1, rank) > 0 && OthersConst(inputs, 1) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Flatten":
                return Attr(node, "axis", 1) == 1 ? TensorFact.Batched(2, x.ElementType) : null;
            case "Resize" or "Upsample":
                return ResizeKeepsBatch(node, inputs, rank) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Pad":
                return PadKeepsBatch(node, inputs, rank) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Reshape":
                return ReshapeRank(node, inputs) is int r and > 0 ? TensorFact.Batched(r, x.ElementType) : null;
            case "Squeeze" or "Unsqueeze":
                return SqueezeRank(node, inputs, rank) is int s and > 0 ? TensorFact.Batched(s, x.ElementType) : null;
            case "Slice":
                return SliceKeepsBatch(node, inputs, rank) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Gather":
                return Axis(node, "axis", 0, rank) > 0 && inputs.Count == 2 && inputs[1] is { Kind: FactKind.Const, Dims: long[] idx }
                    ? TensorFact.Batched(rank - 1 + idx.Length, x.ElementType) : null;
            case "MatMul":
                return MatMulKeepsBatch(inputs, rank) ? TensorFact.Batched(rank, x.ElementType) : null;
            case "Gemm":
                return rank == 2 && Attr(node, "transA", 0) == 0 && OthersConst(inputs, 1) && GemmBiasKeepsBatch(inputs) ? TensorFact.Batched(2, x.ElementType) : null;
            default:
                if (Reductions.Contains(op))
                {
                    return ReductionRank(node, inputs, rank) is int k and > 0 ? TensorFact.Batched(k, x.ElementType) : null;
                }

                if (SameRank.Contains(op))
                {
                    return rank >= 3 && OthersConst(inputs, 1) ? TensorFact.Batched(rank, x.ElementType) : null;
                }

                if (Unary.Contains(op))
                {
                    return OthersConst(inputs, 1) ? TensorFact.Batched(rank, Logical.Contains(op) ? Bool : x.ElementType) : null;
                }

                return ElementWise.Contains(op) ? ElementWiseFact(node, inputs) : null;
        }
    }

    /// <summary>Element-wise with broadcasting: every batched input at the output's rank, every constant broadcast only along other axes.</summary>
    private static TensorFact? ElementWiseFact(NodeProto node, IReadOnlyList<TensorFact?> inputs)
    {
        int rank = -1;
        foreach (TensorFact? f in inputs)
        {
            if (f is { Kind: FactKind.Batched } b)
            {
                if (rank >= 0 && b.Rank != rank)
                {
                    return null;
                }

                rank = b.Rank;
            }
        }

        foreach (TensorFact? f in inputs)
        {
            if (f is { Kind: FactKind.ShapeValue } || (f is { Kind: FactKind.Const } c && (c.Dims is not long[] dims || dims.Length > rank || (dims.Length == rank && dims[0] != 1))))
            {
                return null;
            }
        }

        // The result's type: Bool for comparisons, Where's x or y, else the first batched input's.
        TensorFact? typed = node.OpType == "Where"
            ? (inputs[1] is { Kind: FactKind.Batched } ? inputs[1] : inputs[2])
            : inputs.FirstOrDefault(f => f is { Kind: FactKind.Batched });
        int type = Logical.Contains(node.OpType) ? Bool : typed is { Kind: FactKind.Batched } t ? t.ElementType : 0;
        return TensorFact.Batched(rank, type);
    }

    private static bool ResizeKeepsBatch(NodeProto node, IReadOnlyList<TensorFact?> inputs, int rank)
    {
        if (Ints(node, "axes") is long[] axes)
        {
            return Array.TrueForAll(axes, a => Normalize(a, rank) > 0) && OthersConst(inputs, 1);
        }

        if (node.OpType == "Upsample" && Floats(node, "scales") is double[] attrScales)
        {
            return attrScales.Length == rank && attrScales[0] == 1;
        }

        // Upsample (opset 9): X, scales. Resize: X, roi, scales, sizes (opset 11 on).
        int scalesAt = node.OpType == "Upsample" ? 1 : inputs.Count == 2 ? 1 : 2;
        if (inputs.Count > 3 && inputs[3] is { } sizes)
        {
            return sizes.Kind == FactKind.ShapeValue && sizes.Tags!.Length == rank && sizes.Tags[0] == DimTag.Batch
                && !sizes.Tags.Skip(1).Any(t => t is DimTag.Batch or DimTag.Mixed);
        }

        return inputs.Count > scalesAt && inputs[scalesAt] is { Kind: FactKind.Const, Values: double[] scales } && scales.Length == rank && scales[0] == 1
            && (inputs.Count < 2 || inputs[1] is null or { Kind: FactKind.Const });
    }

    private static bool PadKeepsBatch(NodeProto node, IReadOnlyList<TensorFact?> inputs, int rank)
    {
        double[]? pads = Ints(node, "pads") is long[] attr ? Array.ConvertAll(attr, v => (double)v) : inputs.Count > 1 ? inputs[1]?.Values : null;
        if (inputs.Count > 3 && inputs[3] is not null)
        {
            // Explicit axes (opset 18): the batch is padded only if named.
            return inputs[3] is { Kind: FactKind.Const, Values: double[] axes } && Array.TrueForAll(axes, a => Normalize((long)a, rank) > 0) && OthersConst(inputs, 1);
        }

        return pads is not null && pads.Length == 2 * rank && pads[0] == 0 && pads[rank] == 0 && (inputs.Count < 3 || inputs[2] is null or { Kind: FactKind.Const });
    }

    private static int? ReshapeRank(NodeProto node, IReadOnlyList<TensorFact?> inputs)
    {
        if (inputs.Count != 2 || Attr(node, "allowzero", 0) != 0)
        {
            return null;
        }

        return inputs[1] switch
        {
            // 0 copies the input's dimension: the batch stays where it is.
            { Kind: FactKind.Const, Values: double[] shape } when shape.Length > 0 && shape[0] == 0 => shape.Length,
            { Kind: FactKind.ShapeValue, Tags: DimTag[] tags } when tags.Length > 0 && tags[0] == DimTag.Batch && !tags.Skip(1).Any(t => t is DimTag.Batch or DimTag.Mixed)
                => tags.Length,
            _ => null,
        };
    }

    private static int? SqueezeRank(NodeProto node, IReadOnlyList<TensorFact?> inputs, int rank)
    {
        long[]? axes = Ints(node, "axes") ?? (inputs.Count > 1 && inputs[1] is { Kind: FactKind.Const, Values: double[] v } ? Array.ConvertAll(v, a => (long)a) : null);
        if (axes is null || axes.Length == 0)
        {
            return null;
        }

        int result = node.OpType == "Squeeze" ? rank - axes.Length : rank + axes.Length;
        int against = node.OpType == "Squeeze" ? rank : result;
        return Array.TrueForAll(axes, a => Normalize(a, against) > 0) ? result : null;
    }

    private static bool SliceKeepsBatch(NodeProto node, IReadOnlyList<TensorFact?> inputs, int rank)
    {
        if (Ints(node, "axes") is long[] attrAxes)
        {
            return Array.TrueForAll(attrAxes, a => Normalize(a, rank) > 0);
        }

        if (inputs.Count < 4 || inputs[3] is not { Kind: FactKind.Const, Values: double[] axes } || !Array.TrueForAll(axes, a => Normalize((long)a, rank) > 0))
        {
            return false;
        }

        for (int i = 1; i < inputs.Count; i++)
        {
            if (inputs[i] is { Kind: FactKind.ShapeValue, Tags: DimTag[] tags } && Array.Exists(tags, t => t is DimTag.Batch or DimTag.Mixed))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatMulKeepsBatch(IReadOnlyList<TensorFact?> inputs, int rank) => inputs[1] switch
    {
        { Kind: FactKind.Const, Dims: { Length: 2 } } => rank >= 2,
        { Kind: FactKind.Batched } b => rank >= 3 && b.Rank == rank,
        _ => false,
    };

    /// <summary>Gemm's C broadcasts over the rows unless it has a row per batch.</summary>
    private static bool GemmBiasKeepsBatch(IReadOnlyList<TensorFact?> inputs) =>
        inputs.Count < 3 || inputs[2] is null || (inputs[2]!.Dims is long[] c && (c.Length < 2 || c[0] == 1));

    private static int? ReductionRank(NodeProto node, IReadOnlyList<TensorFact?> inputs, int rank)
    {
        long[]? axes = Ints(node, "axes") ?? (inputs.Count > 1 && inputs[1] is { Kind: FactKind.Const, Values: double[] v } ? Array.ConvertAll(v, a => (long)a) : null);
        if (axes is null || axes.Length == 0 || !Array.TrueForAll(axes, a => Normalize(a, rank) > 0))
        {
            return null;
        }

        return Attr(node, "keepdims", 1) != 0 ? rank : rank - axes.Length;
    }

    private static TensorFact ShapeOf(NodeProto node, int rank)
    {
        int start = (int)Attr(node, "start", 0);
        int end = (int)Attr(node, "end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        int count = Math.Max(0, end - start);
        var tags = new DimTag[count];
        for (int i = 0; i < count; i++)
        {
            tags[i] = start + i == 0 ? DimTag.Batch : DimTag.Dynamic;
        }

        return TensorFact.Shape(tags, new double[count]);
    }

    private static TensorFact ConstantFact(NodeProto node)
    {
        foreach (AttributeProto a in node.Attribute)
        {
            switch (a.Name)
            {
                case "value" when a.T is not null:
                    return OnnxTensors.Fact(a.T);
                case "value_int":
                    return new TensorFact(FactKind.Const) { Dims = [], Values = [a.I] };
                case "value_ints":
                    return new TensorFact(FactKind.Const) { Dims = [a.Ints.Count], Values = [.. a.Ints.Select(v => (double)v)] };
                case "value_float":
                    return new TensorFact(FactKind.Const) { Dims = [], Values = [a.F] };
                case "value_floats":
                    return new TensorFact(FactKind.Const) { Dims = [a.Floats.Count], Values = [.. a.Floats.Select(v => (double)v)] };
            }
        }

        return new TensorFact(FactKind.Const);
    }

    /// <summary>Gets whether every input from <paramref name="from"/> on is a constant or absent.</summary>
    private static bool OthersConst(IReadOnlyList<TensorFact?> inputs, int from)
    {
        for (int i = from; i < inputs.Count; i++)
        {
            if (inputs[i] is { Kind: not FactKind.Const })
            {
                return false;
            }
        }

        return true;
    }

    private static int Axis(NodeProto node, string name, long fallback, int rank) => Normalize(Attr(node, name, fallback), rank);

    private static int Normalize(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    /// <summary>Gets an integer attribute, or <paramref name="fallback"/>.</summary>
    internal static long Attr(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    /// <summary>Gets an integer-list attribute, or null.</summary>
    internal static long[]? Ints(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : null;

    private static double[]? Floats(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Floats.Select(f => (double)f)] : null;
}
