using Onnx;

namespace StreamSeg.Import;

/// <summary>Shape manipulation, slicing, gathering and scattering ops (doc §14–§15), computed in TF layout.</summary>
internal sealed partial class GraphConverter
{
    private const long Int64Max = long.MaxValue;
    private const long Int64Min = long.MinValue;

    private bool ConvertShapeOp(TfjsNode node)
    {
        switch (node.Op)
        {
            case "Reshape":
                ConvertReshape(node);
                return true;
            case "Shape":
                ConvertShape(node);
                return true;
            case "Size":
                Set(node, 0, CastOut(Emit("Size", [Tf(In(node, 0))]), node.GetType("out_type", TfDataType.Int32), 0));
                return true;
            case "Squeeze":
                ConvertSqueeze(node);
                return true;
            case "ExpandDims":
                ConvertExpandDims(node);
                return true;
            case "Pack":
                ConvertPack(node);
                return true;
            case "Unpack":
                ConvertUnpack(node);
                return true;
            case "ConcatV2":
                ConvertConcat(node);
                return true;
            case "Split":
                ConvertSplit(node);
                return true;
            case "SplitV":
                ConvertSplitV(node);
                return true;
            case "StridedSlice":
                ConvertStridedSlice(node);
                return true;
            case "Slice":
                ConvertSlice(node);
                return true;
            case "Tile":
                Set(node, 0, new Value(Emit("Tile", [Tf(In(node, 0)), AsInt64(In(node, 1))]), In(node, 0).Type, In(node, 0).Rank));
                return true;
            case "BroadcastTo":
                Set(node, 0, new Value(Emit("Expand", [Tf(In(node, 0)), AsInt64(In(node, 1))]), In(node, 0).Type, LengthOf(In(node, 1))));
                return true;
            case "Fill":
                ConvertFill(node);
                return true;
            case "ZerosLike" or "OnesLike":
                Value zl = In(node, 0);
                string zero = AddInitializer(new TensorData([], [node.Op == "OnesLike" ? 1f : 0f]).CastTo(zl.Type), _currentNode + "/v");
                Set(node, 0, new Value(Emit("Expand", [zero, Emit("Shape", [zl.Name ?? Tf(zl)])]), zl.Type, zl.Rank, zl.Layout));
                return true;
            case "Range":
                Value start = In(node, 0);
                Set(node, 0, new Value(Emit("Range", [Tf(start), Tf(In(node, 1)), Tf(In(node, 2))]), start.Type, 1));
                return true;
            case "Transpose":
                ConvertTranspose(node);
                return true;
            case "Pad" or "PadV2" or "MirrorPad":
                ConvertPad(node);
                return true;
            case "GatherV2":
                ConvertGather(node);
                return true;
            case "GatherNd":
                Value p = In(node, 0), ind = In(node, 1);
                Set(node, 0, new Value(Emit("GatherND", [Tf(p), AsInt64(ind)], null, ("batch_dims", 0)), p.Type, -1));
                return true;
            case "TopKV2":
                ConvertTopK(node);
                return true;
            case "SparseToDense":
                ConvertSparseToDense(node);
                return true;
            default:
                return false;
        }
    }

    private Value CastOut(string int64Name, TfDataType to, int rank) =>
        new(to == TfDataType.Int64 ? int64Name : Emit("Cast", [int64Name], null, ("to", TfDataTypes.ToOnnx(to))), to, rank);

    private static TensorData WithShape(TensorData c, long[] shape) =>
        c.Floats is not null ? new TensorData(shape, c.Floats)
        : c.Ints is not null ? new TensorData(c.DataType, shape, c.Ints)
        : new TensorData(shape, c.Bools!);

    private void ConvertReshape(TfjsNode node)
    {
        Value x = In(node, 0), shape = In(node, 1);
        if (x.Constant is not null && shape.Constant is not null)
        {
            long[] s = shape.Constant.ToInt64Array();
            long known = s.Where(d => d >= 0).Aggregate(1L, (a, b) => a * b);
            s = s.Select(d => d < 0 ? x.Constant.ElementCount / Math.Max(known, 1) : d).ToArray();
            Set(node, 0, new Value(WithShape(x.Constant, s)));
            return;
        }

        Set(node, 0, new Value(Emit("Reshape", [Tf(x), AsInt64(shape)]), x.Type, LengthOf(shape)));
    }

    private void ConvertShape(TfjsNode node)
    {
        Value x = In(node, 0);
        TfDataType outType = node.GetType("out_type", TfDataType.Int32);
        if (x.Constant is not null)
        {
            Set(node, 0, new Value(new TensorData(outType, [x.Constant.Shape.Length], x.Constant.Shape.ToArray())));
            return;
        }

        string s;
        if (x.Layout == TensorLayout.Nchw)
        {
            // Permute the NCHW shape back instead of transposing the data.
            s = Emit("Gather", [Emit("Shape", [x.Name!]), Int64Const(0, 2, 3, 1)], null, ("axis", 0));
        }
        else
        {
            s = Emit("Shape", [x.Name!]);
        }

        Value result = CastOut(s, outType, 1);
        Set(node, 0, new Value(result.Name!, result.Type, 1) { KnownLength = x.Rank });
    }

    /// <summary>The element count of a 1-D shape tensor, or -1 when unknown.</summary>
    private static int LengthOf(Value shape) => shape.Constant is not null ? (int)shape.Constant.ElementCount : shape.KnownLength;

    private void ConvertSqueeze(TfjsNode node)
    {
        Value x = In(node, 0);
        long[] dims = node.GetIntList("squeeze_dims");
        if (dims.Length == 0)
        {
            dims = node.GetIntList("axis");
        }

        if (x.Constant is not null)
        {
            long[] shape = x.Constant.Shape;
            var keep = new List<long>();
            for (int i = 0; i < shape.Length; i++)
            {
                bool drop = dims.Length == 0 ? shape[i] == 1 : dims.Any(d => (d < 0 ? d + shape.Length : d) == i);
                if (!drop)
                {
                    keep.Add(shape[i]);
                }
            }

            Set(node, 0, new Value(WithShape(x.Constant, [.. keep])));
            return;
        }

        string y = dims.Length == 0 ? Emit("Squeeze", [Tf(x)]) : Emit("Squeeze", [Tf(x), Int64Const(dims)]);
        Set(node, 0, new Value(y, x.Type, x.Rank < 0 || dims.Length == 0 ? -1 : x.Rank - dims.Length));
    }

    private void ConvertExpandDims(TfjsNode node)
    {
        Value x = In(node, 0);
        long axis = ConstIn(node, 1).ToInt64Array()[0];
        if (x.Constant is not null)
        {
            var shape = x.Constant.Shape.ToList();
            int pos = (int)(axis < 0 ? axis + shape.Count + 1 : axis);
            shape.Insert(pos, 1);
            Set(node, 0, new Value(WithShape(x.Constant, [.. shape])));
            return;
        }

        Set(node, 0, new Value(Emit("Unsqueeze", [Tf(x), Int64Const(axis)]), x.Type, x.Rank < 0 ? -1 : x.Rank + 1));
    }

    private void ConvertPack(TfjsNode node)
    {
        var values = Enumerable.Range(0, node.Inputs.Count).Select(i => In(node, i)).ToList();
        long axis = node.GetInt("axis");
        int rank = values[0].Rank;
        if (values.All(v => v.Constant is not null && v.Rank == 0) && axis == 0)
        {
            TensorData first = values[0].Constant!;
            long[] shape = [values.Count];
            TensorData packed = first.DataType == TfDataType.Float
                ? new TensorData(shape, values.Select(v => (float)v.Constant!.GetDouble(0)).ToArray())
                : first.DataType == TfDataType.Bool
                    ? new TensorData(shape, values.Select(v => v.Constant!.GetDouble(0) != 0).ToArray())
                    : new TensorData(first.DataType, shape, values.Select(v => (long)v.Constant!.GetDouble(0)).ToArray());
            Set(node, 0, new Value(packed));
            return;
        }

        if (axis < 0)
        {
            if (rank < 0)
            {
                throw new NotSupportedException($"{node}: negative axis with unknown input rank.");
            }

            axis += rank + 1;
        }

        string axes = Int64Const(axis);
        string[] parts = values.Select(v => Emit("Unsqueeze", [Tf(v), axes])).ToArray();
        string y = parts.Length == 1 ? parts[0] : Emit("Concat", parts, null, ("axis", axis));
        Set(node, 0, new Value(y, values[0].Type, rank < 0 ? -1 : rank + 1) { KnownLength = rank == 0 && axis == 0 ? values.Count : -1 });
    }

    private void ConvertUnpack(TfjsNode node)
    {
        Value x = In(node, 0);
        long num = node.GetInt("num");
        long axis = node.GetInt("axis");
        string[] parts = EmitMulti("Split", [Tf(x)], (int)num, ("axis", axis));
        string axes = Int64Const(axis);
        for (int i = 0; i < num; i++)
        {
            Set(node, i, new Value(Emit("Squeeze", [parts[i], axes]), x.Type, x.Rank < 0 ? -1 : x.Rank - 1));
        }
    }

    private void ConvertConcat(TfjsNode node)
    {
        int n = node.Inputs.Count - 1;
        var values = Enumerable.Range(0, n).Select(i => In(node, i)).ToList();
        long axis = ConstIn(node, n).ToInt64Array()[0];
        int rank = values.Select(v => v.Rank).FirstOrDefault(r => r >= 0, -1);
        if (axis < 0 && rank >= 0)
        {
            axis += rank;
        }

        // Drop constant zero-size inputs (old ORT issue, as tf2onnx does).
        values = values.Where(v => v.Constant is null || v.Constant.ElementCount > 0).ToList();
        if (values.All(v => v.Constant is not null && v.Rank == 1))
        {
            TensorData first = values[0].Constant!;
            if (first.Ints is not null)
            {
                long[] all = values.SelectMany(v => v.Constant!.ToInt64Array()).ToArray();
                Set(node, 0, new Value(new TensorData(first.DataType, [all.Length], all)));
                return;
            }
        }

        bool nchw = values.Any(v => v.Layout == TensorLayout.Nchw) && values.All(v => v.Rank == 4) && axis >= 0;
        if (nchw)
        {
            Set(node, 0, new Value(Emit("Concat", values.Select(Nchw), null, ("axis", MapAxisToNchw(axis))), values[0].Type, 4, TensorLayout.Nchw));
            return;
        }

        Set(node, 0, new Value(Emit("Concat", values.Select(Tf), null, ("axis", axis)), values[0].Type, rank));
    }

    private void ConvertSplit(TfjsNode node)
    {
        long axis = ConstIn(node, 0).ToInt64Array()[0];
        Value x = In(node, 1);
        int num = (int)node.GetInt("num_split", 1);
        if (axis < 0 && x.Rank >= 0)
        {
            axis += x.Rank;
        }

        bool nchw = x.Layout == TensorLayout.Nchw && axis >= 0;
        string[] parts = EmitMulti("Split", [nchw ? x.Name! : Tf(x)], num, ("axis", nchw ? MapAxisToNchw(axis) : axis));
        for (int i = 0; i < num; i++)
        {
            Set(node, i, new Value(parts[i], x.Type, x.Rank, nchw ? TensorLayout.Nchw : TensorLayout.Tf));
        }
    }

    /// <summary>SplitV as one Slice per piece, so a <c>-1</c> size needs no static shape.</summary>
    private void ConvertSplitV(TfjsNode node)
    {
        Value x = In(node, 0);
        long[] sizes = ConstIn(node, 1).ToInt64Array();
        long axis = ConstIn(node, 2).ToInt64Array()[0];
        if (axis < 0 && x.Rank >= 0)
        {
            axis += x.Rank;
        }

        bool nchw = x.Layout == TensorLayout.Nchw && axis >= 0;
        string input = nchw ? x.Name! : Tf(x);
        long onnxAxis = nchw ? MapAxisToNchw(axis) : axis;
        int unknown = Array.IndexOf(sizes, -1L);
        for (int i = 0; i < sizes.Length; i++)
        {
            long start, end;
            if (unknown < 0 || i <= unknown)
            {
                start = sizes.Take(i).Sum();
            }
            else
            {
                start = -sizes.Skip(i).Sum();
            }

            if (sizes[i] == -1)
            {
                long after = sizes.Skip(i + 1).Sum();
                end = after == 0 ? Int64Max : -after;
            }
            else
            {
                end = start + sizes[i];
                if (start < 0 && end == 0)
                {
                    end = Int64Max;
                }
            }

            string y = Emit("Slice", [input, Int64Const(start), Int64Const(end), Int64Const(onnxAxis)]);
            Set(node, i, new Value(y, x.Type, x.Rank, nchw ? TensorLayout.Nchw : TensorLayout.Tf));
        }
    }

    private void ConvertStridedSlice(TfjsNode node)
    {
        Value x = In(node, 0);
        long[] begin = ConstIn(node, 1).ToInt64Array();
        long[] end = ConstIn(node, 2).ToInt64Array();
        long[] strides = ConstIn(node, 3).ToInt64Array();
        long beginMask = node.GetInt("begin_mask"), endMask = node.GetInt("end_mask");
        long ellipsisMask = node.GetInt("ellipsis_mask"), newAxisMask = node.GetInt("new_axis_mask"), shrinkMask = node.GetInt("shrink_axis_mask");
        int spec = begin.Length;

        // Map spec positions to output-before-shrink axes (after inserting new axes).
        int newAxes = Enumerable.Range(0, spec).Count(i => (newAxisMask >> i & 1) != 0 && (ellipsisMask >> i & 1) == 0);
        int ellipsisPos = Enumerable.Range(0, spec).FirstOrDefault(i => (ellipsisMask >> i & 1) != 0, -1);
        int rank = x.Rank;
        if (ellipsisPos >= 0 && rank < 0)
        {
            throw new NotSupportedException($"{node}: ellipsis_mask needs a known input rank.");
        }

        int expandedRank = rank < 0 ? spec : rank + newAxes;
        var starts = new List<long>();
        var ends = new List<long>();
        var axes = new List<long>();
        var steps = new List<long>();
        var unsqueeze = new List<long>();
        var squeeze = new List<long>();
        int axis = 0;
        for (int i = 0; i < spec; i++)
        {
            if ((ellipsisMask >> i & 1) != 0)
            {
                int specAfter = spec - i - 1;
                axis = expandedRank - specAfter;
                continue;
            }

            if ((newAxisMask >> i & 1) != 0)
            {
                unsqueeze.Add(axis);
                axis++;
                continue;
            }

            long s = strides[i];
            if ((shrinkMask >> i & 1) != 0)
            {
                long b = begin[i];
                starts.Add(b);
                ends.Add(b == -1 ? Int64Max : b + 1);
                axes.Add(axis);
                steps.Add(1);
                squeeze.Add(axis);
                axis++;
                continue;
            }

            starts.Add((beginMask >> i & 1) != 0 ? (s > 0 ? 0 : Int64Max) : begin[i]);
            ends.Add((endMask >> i & 1) != 0 ? (s > 0 ? Int64Max : Int64Min) : end[i]);
            axes.Add(axis);
            steps.Add(s);
            axis++;
        }

        string y = Tf(x);
        if (unsqueeze.Count > 0)
        {
            y = Emit("Unsqueeze", [y, Int64Const([.. unsqueeze])]);
        }

        if (axes.Count > 0)
        {
            y = Emit("Slice", [y, Int64Const([.. starts]), Int64Const([.. ends]), Int64Const([.. axes]), Int64Const([.. steps])]);
        }

        if (squeeze.Count > 0)
        {
            y = Emit("Squeeze", [y, Int64Const([.. squeeze])]);
        }

        int outRank = rank < 0 ? -1 : rank + unsqueeze.Count - squeeze.Count;
        Set(node, 0, new Value(y, x.Type, outRank));
    }

    private void ConvertSlice(TfjsNode node)
    {
        Value x = In(node, 0);
        string begin = AsInt64(In(node, 1));
        string size = AsInt64(In(node, 2));
        string rawEnd = Emit("Add", [begin, size]);
        string isAll = Emit("Equal", [size, Int64Const(-1)]);
        string end = Emit("Where", [isAll, Int64Const(Int64Max), rawEnd]);
        Set(node, 0, new Value(Emit("Slice", [Tf(x), begin, end]), x.Type, x.Rank));
    }

    private void ConvertFill(TfjsNode node)
    {
        Value dims = In(node, 0), value = In(node, 1);
        string shape = AsInt64(dims);
        if (value.Constant is not null)
        {
            TensorProto t = MakeTensor(WithShape(value.Constant, [1]));
            Set(node, 0, new Value(Emit("ConstantOfShape", [shape], null, ("value", t)), value.Type, -1));
            return;
        }

        Set(node, 0, new Value(Emit("Expand", [Tf(value), shape]), value.Type, -1));
    }

    private void ConvertTranspose(TfjsNode node)
    {
        Value x = In(node, 0);
        int[] perm = ConstIn(node, 1).ToInt64Array().Select(p => (int)p).ToArray();
        if (x.Layout == TensorLayout.Nchw && perm.Length == 4)
        {
            // Stored = tf permuted by ToNchw; express the TF perm on the stored tensor.
            int[] inv = new int[4];
            for (int i = 0; i < 4; i++)
            {
                inv[ToNchw[i]] = i;
            }

            int[] storedPerm = perm.Select(p => inv[p]).ToArray();
            if (storedPerm.SequenceEqual([0, 1, 2, 3]))
            {
                Set(node, 0, new Value(x.Name!, x.Type, 4));
                return;
            }

            Set(node, 0, new Value(Emit("Transpose", [x.Name!], null, ("perm", storedPerm)), x.Type, 4));
            return;
        }

        if (perm.SequenceEqual(ToNhwc) && x.Constant is null)
        {
            // TF transposes NCHW → NHWC: the input already is the NCHW storage of the result.
            Set(node, 0, new Value(Tf(x), x.Type, 4, TensorLayout.Nchw));
            return;
        }

        Set(node, 0, new Value(Emit("Transpose", [Tf(x)], null, ("perm", perm)), x.Type, perm.Length));
    }

    private void ConvertPad(TfjsNode node)
    {
        Value x = In(node, 0);
        Value paddings = In(node, 1);
        string mode = node.Op == "MirrorPad" ? (node.GetString("mode", "REFLECT") == "REFLECT" ? "reflect" : throw new NotSupportedException($"{node}: SYMMETRIC mirror padding is not supported.")) : "constant";
        bool nchw = x.Layout == TensorLayout.Nchw;
        string input = nchw ? x.Name! : Tf(x);
        string pads;
        if (paddings.Constant is not null)
        {
            long[] p = paddings.Constant.ToInt64Array();
            int r = p.Length / 2;
            int[] order = nchw ? ToNchw : Enumerable.Range(0, r).ToArray();
            pads = Int64Const([.. order.Select(d => p[2 * d]), .. order.Select(d => p[(2 * d) + 1])]);
        }
        else
        {
            string pi = AsInt64(paddings);
            if (nchw)
            {
                pi = Emit("Gather", [pi, Int64Const(0, 3, 1, 2)], null, ("axis", 0));
            }

            pads = Emit("Reshape", [Emit("Transpose", [pi], null, ("perm", Transpose2D)), Int64Const(-1)]);
        }

        var inputs = new List<string> { input, pads };
        if (node.Op == "PadV2")
        {
            inputs.Add(Tf(In(node, 2)));
        }

        Set(node, 0, new Value(Emit("Pad", inputs, null, ("mode", mode)), x.Type, x.Rank, nchw ? TensorLayout.Nchw : TensorLayout.Tf));
    }

    private void ConvertGather(TfjsNode node)
    {
        Value p = In(node, 0), indices = In(node, 1);
        long axis = ConstIn(node, 2).ToInt64Array()[0];
        if (node.GetInt("batch_dims") != 0)
        {
            throw new NotSupportedException($"{node}: GatherV2 with batch_dims is not supported.");
        }

        if (axis < 0 && p.Rank >= 0)
        {
            axis += p.Rank;
        }

        int rank = p.Rank < 0 || indices.Rank < 0 ? -1 : p.Rank + indices.Rank - 1;
        Set(node, 0, new Value(Emit("Gather", [Tf(p), Tf(indices)], null, ("axis", axis)), p.Type, rank));
    }

    private void ConvertTopK(TfjsNode node)
    {
        Value x = In(node, 0);
        string k = Emit("Reshape", [AsInt64(In(node, 1)), Int64Const(1)]);
        string[] outs = EmitMulti("TopK", [Tf(x), k], 2, ("axis", -1), ("largest", 1), ("sorted", 1));
        Set(node, 0, new Value(outs[0], x.Type, x.Rank));
        TfDataType indexType = node.GetType("index_type", TfDataType.Int32);
        Set(node, 1, CastOut(outs[1], indexType, x.Rank));
    }

    private void ConvertSparseToDense(TfjsNode node)
    {
        Value indices = In(node, 0), shape = In(node, 1), values = In(node, 2), defaultValue = In(node, 3);
        string dense = Emit("Expand", [Tf(defaultValue), AsInt64(shape)]);
        string idx = AsInt64(indices);
        idx = indices.Rank switch
        {
            0 => Emit("Reshape", [idx, Int64Const(1, 1)]),
            1 => Emit("Unsqueeze", [idx, Int64Const(-1)]),
            _ => idx,
        };
        string n = Emit("Slice", [Emit("Shape", [idx]), Int64Const(0), Int64Const(1)]);
        string updates = Emit("Expand", [Tf(values), n]);
        Set(node, 0, new Value(Emit("ScatterND", [dense, idx, updates]), values.Type, -1));
    }
}
