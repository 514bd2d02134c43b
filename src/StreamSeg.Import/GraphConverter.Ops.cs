using Onnx;

namespace StreamSeg.Import;

/// <summary>Op dispatch and the element-wise, reduction and control ops.</summary>
internal sealed partial class GraphConverter
{
    private void ConvertNode(TfjsNode node)
    {
        switch (node.Op)
        {
            case "Const":
                TensorData data = _model.Weights.GetValueOrDefault(node.Name)
                    ?? throw new InvalidDataException($"{_model.Path}: Const '{node.Name}' has no weight in the manifest.");
                Set(node, 0, new Value(data));
                break;
            case "Placeholder":
                throw new InvalidDataException($"{node}: placeholder is dead or was not declared.");
            case "Identity" or "StopGradient" or "Snapshot":
                Set(node, 0, In(node, 0));
                break;
            case "IdentityN":
                for (int i = 0; i < node.Inputs.Count; i++)
                {
                    Set(node, i, In(node, i));
                }

                break;
            case "NoOp":
                break;
            case "Switch" or "Merge":
                throw new InvalidOperationException($"{node}: control flow should have been resolved.");

            // element-wise unary
            case "Relu" or "Sigmoid" or "Tanh" or "Exp" or "Abs" or "Sqrt" or "Reciprocal" or "Neg" or "Floor" or "Ceil" or "Log" or "Round" or "Sign":
                Unary(node, node.Op switch { "Neg" => "Neg", "Round" => "Round", _ => node.Op });
                break;
            case "Rsqrt":
                UnaryWith(node, x => Emit("Reciprocal", [Emit("Sqrt", [x])]));
                break;
            case "Square":
                UnaryWith(node, x => Emit("Mul", [x, x]));
                break;
            case "Relu6":
                UnaryWith(node, x => Emit("Clip", [x, FloatScalar(0), FloatScalar(6)]));
                break;
            case "Elu":
                UnaryWith(node, x => Emit("Elu", [x], null, ("alpha", 1f)));
                break;
            case "LeakyRelu":
                UnaryWith(node, x => Emit("LeakyRelu", [x], null, ("alpha", node.GetFloat("alpha", 0.2f))));
                break;
            case "Cast":
                ConvertCast(node);
                break;

            // element-wise binary / n-ary
            case "Add" or "AddV2" or "Sub" or "Mul" or "RealDiv" or "Div" or "Maximum" or "Minimum" or "Pow"
                or "Equal" or "Less" or "Greater" or "GreaterEqual" or "LessEqual" or "LogicalAnd" or "LogicalOr" or "NotEqual"
                or "SquaredDifference" or "FloorDiv" or "FloorMod" or "AddN" or "Prelu":
                ConvertBinary(node);
                break;
            case "Select" or "SelectV2":
                ConvertSelect(node);
                break;

            case "Mean" or "Sum" or "Max" or "Min" or "Prod" or "All" or "Any":
                ConvertReduce(node);
                break;
            case "ArgMax" or "ArgMin":
                ConvertArgMax(node);
                break;
            case "Softmax":
                Set(node, 0, new Value(Emit("Softmax", [Tf(In(node, 0))], null, ("axis", -1)), In(node, 0).Type, In(node, 0).Rank));
                break;

            case "Conv2D" or "_FusedConv2D" or "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative":
                ConvertConv(node);
                break;
            case "Conv2DBackpropInput":
                ConvertConvTranspose(node);
                break;
            case "MaxPool" or "AvgPool":
                ConvertPool(node);
                break;
            case "ResizeBilinear" or "ResizeNearestNeighbor":
                ConvertResize(node);
                break;
            case "SpaceToBatchND":
                ConvertSpaceToBatch(node);
                break;
            case "BatchToSpaceND":
                ConvertBatchToSpace(node);
                break;

            default:
                if (!ConvertShapeOp(node))
                {
                    throw new NotSupportedException($"TF op '{node.Op}' (node '{node.Name}') is not supported by the TF.js → ONNX importer.");
                }

                break;
        }
    }

    private void Unary(TfjsNode node, string onnxOp) => UnaryWith(node, x => Emit(onnxOp, [x]));

    /// <summary>An element-wise op: keeps the input's layout.</summary>
    private void UnaryWith(TfjsNode node, Func<string, string> build)
    {
        Value x = In(node, 0);
        string name = x.Constant is not null ? Tf(x) : x.Name!;
        Set(node, 0, new Value(build(name), x.Type, x.Rank, x.Constant is not null ? TensorLayout.Tf : x.Layout));
    }

    private void ConvertCast(TfjsNode node)
    {
        Value x = In(node, 0);
        TfDataType to = node.GetType("DstT", TfDataType.Float);
        if (x.Constant is not null)
        {
            Set(node, 0, new Value(x.Constant.CastTo(to)));
            return;
        }

        if (to == x.Type)
        {
            Set(node, 0, x);
            return;
        }

        Set(node, 0, new Value(Emit("Cast", [x.Name!], null, ("to", TfDataTypes.ToOnnx(to))), to, x.Rank, x.Layout));
    }

    /// <summary>
    /// Picks the layout for an element-wise op over <paramref name="inputs"/>: NCHW when some input is NCHW and every
    /// other input can follow cheaply (NCHW, a scalar, a constant, or a rank-4 tensor), otherwise TF layout.
    /// </summary>
    private (string[] Names, TensorLayout Layout, int Rank) Operands(IReadOnlyList<Value> inputs)
    {
        bool anyNchw = inputs.Any(v => v.Layout == TensorLayout.Nchw);
        bool ok = anyNchw && inputs.All(v => v.Layout == TensorLayout.Nchw || v.Rank == 0 || (v.Constant is not null && v.Rank <= 4) || v.Rank == 4);
        int rank = inputs.Any(v => v.Rank < 0) ? -1 : inputs.Max(v => v.Rank);
        if (ok)
        {
            return (inputs.Select(v => v.Rank == 0 ? Tf(v) : Nchw(v)).ToArray(), TensorLayout.Nchw, 4);
        }

        return (inputs.Select(Tf).ToArray(), TensorLayout.Tf, rank);
    }

    private void ConvertBinary(TfjsNode node)
    {
        var inputs = Enumerable.Range(0, node.Inputs.Count).Select(i => In(node, i)).ToList();
        TfDataType type = inputs[0].Type;
        bool comparison = node.Op is "Equal" or "Less" or "Greater" or "GreaterEqual" or "LessEqual" or "NotEqual" or "LogicalAnd" or "LogicalOr";
        TfDataType outType = comparison ? TfDataType.Bool : type;

        if (inputs.All(v => v.Constant is not null) && TryFoldBinary(node.Op, inputs.Select(v => v.Constant!).ToList(), outType) is { } folded)
        {
            Set(node, 0, new Value(folded));
            return;
        }

        if (node.Op == "Prelu")
        {
            // slope is per channel: in NCHW it must become [C,1,1].
            Value x = inputs[0];
            Value alpha = inputs[1];
            if (x.Layout == TensorLayout.Nchw && alpha.Constant is not null)
            {
                TensorData a = alpha.Constant;
                long c = a.ElementCount;
                string slope = AddInitializer(new TensorData([c, 1, 1], Enumerable.Range(0, (int)c).Select(i => (float)a.GetDouble(i)).ToArray()), _currentNode + "/slope");
                Set(node, 0, new Value(Emit("PRelu", [x.Name!, slope]), type, 4, TensorLayout.Nchw));
            }
            else
            {
                Set(node, 0, new Value(Emit("PRelu", [Tf(x), Tf(alpha)]), type, x.Rank));
            }

            return;
        }

        (string[] n, TensorLayout layout, int rank) = Operands(inputs);
        bool isInt = TfDataTypes.IsInteger(type);
        string result = node.Op switch
        {
            "Add" or "AddV2" => Emit("Add", n),
            "AddN" => n.Length == 1 ? n[0] : Emit("Sum", n),
            "Sub" => Emit("Sub", n),
            "Mul" => Emit("Mul", n),
            "RealDiv" or "Div" => Emit("Div", n),
            "Maximum" => Emit("Max", n),
            "Minimum" => Emit("Min", n),
            "Pow" => Emit("Pow", n),
            "Equal" => Emit("Equal", n),
            "NotEqual" => Emit("Not", [Emit("Equal", n)]),
            "Less" => Emit("Less", n),
            "Greater" => Emit("Greater", n),
            "GreaterEqual" => Emit("GreaterOrEqual", n),
            "LessEqual" => Emit("LessOrEqual", n),
            "LogicalAnd" => Emit("And", n),
            "LogicalOr" => Emit("Or", n),
            "SquaredDifference" => SquaredDifference(n),
            "FloorDiv" => isInt ? Emit("Div", [Emit("Sub", [n[0], Emit("Mod", n, null, ("fmod", 0))]), n[1]]) : Emit("Floor", [Emit("Div", n)]),
            "FloorMod" => isInt ? Emit("Mod", n, null, ("fmod", 0)) : FloatFloorMod(n),
            _ => throw new NotSupportedException($"{node}: unsupported binary op."),
        };
        Set(node, 0, new Value(result, outType, rank, layout));
    }

    private string SquaredDifference(string[] n)
    {
        string d = Emit("Sub", n);
        return Emit("Mul", [d, d]);
    }

    private string FloatFloorMod(string[] n)
    {
        string t = Emit("Mod", n, null, ("fmod", 1));
        string zero = FloatScalar(0);
        string fix = Emit("And", [Emit("Not", [Emit("Equal", [t, zero])]), Emit("Xor", [Emit("Less", [t, zero]), Emit("Less", [n[1], zero])])]);
        return Emit("Where", [fix, Emit("Add", [t, n[1]]), t]);
    }

    private static TensorData? TryFoldBinary(string op, List<TensorData> c, TfDataType outType)
    {
        if (c.Count != 2 || op is not ("Add" or "AddV2" or "Sub" or "Mul" or "RealDiv" or "Div" or "FloorDiv" or "FloorMod" or "Maximum"
            or "Minimum" or "Equal" or "NotEqual" or "Less" or "Greater" or "GreaterEqual" or "LessEqual" or "LogicalAnd" or "LogicalOr"))
        {
            return null;
        }

        TensorData a = c[0], b = c[1];
        long n;
        long[] shape;
        if (a.ElementCount == b.ElementCount && a.Shape.SequenceEqual(b.Shape))
        {
            n = a.ElementCount;
            shape = a.Shape;
        }
        else if (b.ElementCount == 1 && b.Shape.Length <= a.Shape.Length)
        {
            n = a.ElementCount;
            shape = a.Shape;
        }
        else if (a.ElementCount == 1 && a.Shape.Length <= b.Shape.Length)
        {
            n = b.ElementCount;
            shape = b.Shape;
        }
        else
        {
            return null;
        }

        bool isInt = TfDataTypes.IsInteger(a.DataType);
        var r = new double[n];
        for (long i = 0; i < n; i++)
        {
            double x = a.GetDouble(a.ElementCount == 1 ? 0 : i), y = b.GetDouble(b.ElementCount == 1 ? 0 : i);
            r[i] = op switch
            {
                "Add" or "AddV2" => x + y,
                "Sub" => x - y,
                "Mul" => x * y,
                "RealDiv" or "Div" => isInt ? Math.Truncate(x / y) : (float)x / (float)y,
                "FloorDiv" => Math.Floor(x / y),
                "FloorMod" => x - (Math.Floor(x / y) * y),
                "Maximum" => Math.Max(x, y),
                "Minimum" => Math.Min(x, y),
                "Equal" => x == y ? 1 : 0,
                "NotEqual" => x != y ? 1 : 0,
                "Less" => x < y ? 1 : 0,
                "Greater" => x > y ? 1 : 0,
                "GreaterEqual" => x >= y ? 1 : 0,
                "LessEqual" => x <= y ? 1 : 0,
                "LogicalAnd" => x != 0 && y != 0 ? 1 : 0,
                "LogicalOr" => x != 0 || y != 0 ? 1 : 0,
                _ => throw new InvalidOperationException(op),
            };
        }

        return outType switch
        {
            TfDataType.Bool => new TensorData(shape, r.Select(x => x != 0).ToArray()),
            TfDataType.Float => new TensorData(shape, r.Select(x => (float)x).ToArray()),
            _ => new TensorData(outType, shape, r.Select(x => (long)x).ToArray()),
        };
    }

    private void ConvertSelect(TfjsNode node)
    {
        Value cond = In(node, 0), t = In(node, 1), e = In(node, 2);
        if (node.Op == "Select" && cond.Rank == 1 && t.Rank > 1)
        {
            // TF v1 Select with a vector condition selects whole rows.
            long[] shape = [-1, .. Enumerable.Repeat(1L, t.Rank - 1)];
            string c = Emit("Reshape", [Tf(cond), Int64Const(shape)]);
            Set(node, 0, new Value(Emit("Where", [c, Tf(t), Tf(e)]), t.Type, t.Rank));
            return;
        }

        (string[] n, TensorLayout layout, int rank) = Operands([cond, t, e]);
        Set(node, 0, new Value(Emit("Where", n), t.Type, rank, layout));
    }

    private long[] ConstAxes(TfjsNode node, int index, int rank)
    {
        long[] axes = ConstIn(node, index).ToInt64Array();
        if (rank >= 0)
        {
            axes = axes.Select(a => a < 0 ? a + rank : a).ToArray();
        }

        return axes;
    }

    private static long MapAxisToNchw(long axis) => axis switch { 0 => 0, 1 => 2, 2 => 3, 3 => 1, _ => axis };

    private void ConvertReduce(TfjsNode node)
    {
        Value x = In(node, 0);
        bool keep = node.GetBool("keep_dims", node.GetBool("keepdims"));
        long[] axes = ConstAxes(node, 1, x.Rank);
        if (axes.Length == 0)
        {
            Set(node, 0, x);
            return;
        }

        string onnxOp = node.Op switch
        {
            "Mean" => "ReduceMean",
            "Sum" => "ReduceSum",
            "Max" => "ReduceMax",
            "Min" => "ReduceMin",
            "Prod" => "ReduceProd",
            "All" => "ReduceMin",
            _ => "ReduceMax",
        };

        string input;
        TensorLayout layout = TensorLayout.Tf;
        var axisSet = axes.ToHashSet();
        bool nchwOk = x.Layout == TensorLayout.Nchw && axes.All(a => a >= 0)
            && (keep || !(!axisSet.Contains(3) && (!axisSet.Contains(1) || !axisSet.Contains(2))));
        if (nchwOk)
        {
            input = x.Name!;
            axes = axes.Select(MapAxisToNchw).ToArray();
            layout = keep ? TensorLayout.Nchw : TensorLayout.Tf;
        }
        else
        {
            input = Tf(x);
        }

        bool isBool = x.Type == TfDataType.Bool;
        if (isBool)
        {
            input = Emit("Cast", [input], null, ("to", (int)TensorProto.Types.DataType.Int32));
        }

        string result = onnxOp == "ReduceSum"
            ? Emit("ReduceSum", [input, Int64Const(axes)], null, ("keepdims", keep ? 1 : 0))
            : Emit(onnxOp, [input], null, ("axes", axes), ("keepdims", keep ? 1 : 0));
        if (isBool)
        {
            result = Emit("Cast", [result], null, ("to", (int)TensorProto.Types.DataType.Bool));
        }

        int rank = x.Rank < 0 ? -1 : keep ? x.Rank : x.Rank - axes.Length;
        Set(node, 0, new Value(result, x.Type, rank, layout));
    }

    private void ConvertArgMax(TfjsNode node)
    {
        Value x = In(node, 0);
        long axis = ConstIn(node, 1).ToInt64Array()[0];
        TfDataType outType = node.GetType("output_type", TfDataType.Int64);
        string r = Emit(node.Op, [Tf(x)], null, ("axis", axis), ("keepdims", 0));
        if (outType != TfDataType.Int64)
        {
            r = Emit("Cast", [r], null, ("to", TfDataTypes.ToOnnx(outType)));
        }

        Set(node, 0, new Value(r, outType, x.Rank < 0 ? -1 : x.Rank - 1));
    }
}
