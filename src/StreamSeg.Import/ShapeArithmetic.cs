using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// The small integer arithmetic exporters compute sizes with, on shapes read from batched tensors: which element of
/// the result is the batch, another dimension, a known number, or something computed from the batch
/// (<see cref="DimTag"/>). Part of <see cref="BatchAxisRules"/>.
/// </summary>
internal static class ShapeArithmetic
{
    /// <summary>Gets the fact of the single output of <paramref name="node"/>, whose inputs are shape values and constants.</summary>
    public static TensorFact Infer(NodeProto node, IReadOnlyList<TensorFact?> inputs)
    {
        TensorFact? x = inputs[0];
        switch (node.OpType)
        {
            case "Cast" or "Identity" or "Squeeze" or "Unsqueeze" or "Reshape" when x is { Kind: FactKind.ShapeValue }:
                // Rank changes of a vector of at most a handful of elements (a scalar to [1] and back) keep its elements.
                return x;
            case "Gather" when x is { Kind: FactKind.ShapeValue } && BatchAxisRules.Attr(node, "axis", 0) == 0 && inputs[1] is { Kind: FactKind.Const, Values: double[] idx }:
                return Pick(x, Array.ConvertAll(idx, i => (long)i));
            case "Slice" when x is { Kind: FactKind.ShapeValue }:
                return SliceOf(node, x, inputs);
            case "Concat":
                return ConcatOf(inputs);
            case "Add" or "Sub" or "Mul" or "Div" or "Mod" or "Max" or "Min" when inputs.Count == 2:
                return Arithmetic(node.OpType, inputs[0]!, inputs[1]!);
            default:
                return TensorFact.Unknown;
        }
    }

    private static TensorFact Pick(TensorFact x, long[] indices)
    {
        int n = x.Tags!.Length;
        var tags = new DimTag[indices.Length];
        var values = new double[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            long at = indices[i] < 0 ? indices[i] + n : indices[i];
            if (at < 0 || at >= n)
            {
                return TensorFact.Unknown;
            }

            tags[i] = x.Tags[at];
            values[i] = x.TagValues![at];
        }

        return TensorFact.Shape(tags, values);
    }

    private static TensorFact SliceOf(NodeProto node, TensorFact x, IReadOnlyList<TensorFact?> inputs)
    {
        long start;
        long end;
        long step = 1;
        if (BatchAxisRules.Ints(node, "starts") is [long s] && BatchAxisRules.Ints(node, "ends") is [long e])
        {
            (start, end) = (s, e);
        }
        else if (inputs.Count >= 3 && inputs[1] is { Values: [double s2] } && inputs[2] is { Values: [double e2] }
            && (inputs.Count < 4 || inputs[3] is null or { Values: [0] }) && (inputs.Count < 5 || inputs[4] is null or { Values: [double] }))
        {
            (start, end) = ((long)s2, (long)Math.Clamp(e2, long.MinValue / 2, long.MaxValue / 2));
            step = inputs.Count >= 5 && inputs[4] is { Values: [double st] } ? (long)st : 1;
        }
        else
        {
            return TensorFact.Unknown;
        }

        if (step != 1)
        {
            return TensorFact.Unknown;
        }

        int n = x.Tags!.Length;
        long from = Math.Clamp(start < 0 ? start + n : start, 0, n);
        long to = Math.Clamp(end < 0 ? end + n : end, 0, n);
        var picked = new List<long>();
        for (long i = from; i < to; i++)
        {
            picked.Add(i);
        }

        return Pick(x, [.. picked]);
    }

    private static TensorFact ConcatOf(IReadOnlyList<TensorFact?> inputs)
    {
        var tags = new List<DimTag>();
        var values = new List<double>();
        foreach (TensorFact? f in inputs)
        {
            switch (f)
            {
                case { Kind: FactKind.ShapeValue }:
                    tags.AddRange(f.Tags!);
                    values.AddRange(f.TagValues!);
                    break;
                case { Kind: FactKind.Const, Values: double[] v, Dims: { Length: <= 1 } }:
                    tags.AddRange(Enumerable.Repeat(DimTag.Static, v.Length));
                    values.AddRange(v);
                    break;
                default:
                    return TensorFact.Unknown;
            }
        }

        return TensorFact.Shape([.. tags], [.. values]);
    }

    private static TensorFact Arithmetic(string op, TensorFact a, TensorFact b)
    {
        (DimTag[] ta, double[] va) = Elements(a);
        (DimTag[] tb, double[] vb) = Elements(b);
        if (ta.Length == 0 || tb.Length == 0 || (ta.Length != tb.Length && ta.Length != 1 && tb.Length != 1))
        {
            return TensorFact.Unknown;
        }

        int n = Math.Max(ta.Length, tb.Length);
        var tags = new DimTag[n];
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            DimTag x = ta[ta.Length == 1 ? 0 : i];
            DimTag y = tb[tb.Length == 1 ? 0 : i];
            double u = va[va.Length == 1 ? 0 : i];
            double w = vb[vb.Length == 1 ? 0 : i];
            if (x is DimTag.Batch or DimTag.Mixed || y is DimTag.Batch or DimTag.Mixed)
            {
                // The batch times one, plus zero, is still the batch; anything else computed from it is not.
                bool identity = (x == DimTag.Batch && y == DimTag.Static && ((op is "Mul" or "Div" && w == 1) || (op is "Add" or "Sub" && w == 0)))
                    || (y == DimTag.Batch && x == DimTag.Static && ((op == "Mul" && u == 1) || (op == "Add" && u == 0)));
                tags[i] = identity ? DimTag.Batch : DimTag.Mixed;
            }
            else if (x == DimTag.Static && y == DimTag.Static)
            {
                tags[i] = DimTag.Static;
                values[i] = op switch
                {
                    "Add" => u + w,
                    "Sub" => u - w,
                    "Mul" => u * w,
                    "Div" => w == 0 ? 0 : Math.Floor(u / w),
                    "Mod" => w == 0 ? 0 : u % w,
                    "Max" => Math.Max(u, w),
                    _ => Math.Min(u, w),
                };
            }
            else
            {
                tags[i] = DimTag.Dynamic;
            }
        }

        return TensorFact.Shape(tags, values);
    }

    private static (DimTag[] Tags, double[] Values) Elements(TensorFact f) => f switch
    {
        { Kind: FactKind.ShapeValue } => (f.Tags!, f.TagValues!),
        { Kind: FactKind.Const, Values: double[] v, Dims: { Length: <= 1 } } => ([.. Enumerable.Repeat(DimTag.Static, v.Length)], v),

        // A constant whose values are not known is the same at any batch: an element of another kind.
        { Kind: FactKind.Const, Dims: { Length: <= 1 } d } => ([.. Enumerable.Repeat(DimTag.Dynamic, d.Length == 0 ? 1 : (int)d[0])], new double[d.Length == 0 ? 1 : (int)d[0]]),
        _ => ([], []),
    };
}
