using Onnx;

namespace StreamSeg.Import;

/// <summary>Convolutions, pools, resizes and space/batch rearrangements, all computed in NCHW.</summary>
internal sealed partial class GraphConverter
{
    private void ConvertConv(TfjsNode node)
    {
        Value x = In(node, 0);
        TensorData filter = ConstIn(node, 1);
        if (filter.Shape.Length != 4)
        {
            throw new NotSupportedException($"{node}: only 2-D convolutions are supported.");
        }

        bool depthwise = node.Op.Contains("Depthwise", StringComparison.Ordinal);
        long kh = filter.Shape[0], kw = filter.Shape[1];
        TensorData weights;
        long group = 1;
        if (depthwise)
        {
            // HWCM → [H,W,1,C·M] → [C·M,1,H,W], group = C.
            long c = filter.Shape[2], m = filter.Shape[3];
            weights = Transpose(filter, [kh, kw, 1, c * m], [3, 2, 0, 1]);
            group = c;
        }
        else
        {
            weights = Transpose(filter, filter.Shape, [3, 2, 0, 1]);
        }

        string w = AddInitializer(weights, node.Name + "/W");
        long[] strides = node.GetIntList("strides");
        long[] dilations = node.GetIntList("dilations");
        long sh = strides.Length == 4 ? strides[1] : 1, sw = strides.Length == 4 ? strides[2] : 1;
        long dh = dilations.Length == 4 ? dilations[1] : 1, dw = dilations.Length == 4 ? dilations[2] : 1;

        var attrs = new List<(string, object)>
        {
            ("kernel_shape", new[] { kh, kw }),
            ("strides", new[] { sh, sw }),
            ("dilations", new[] { dh, dw }),
            ("group", group),
        };
        attrs.AddRange(PaddingAttributes(node, [(kh - 1) * dh + 1, (kw - 1) * dw + 1], [sh, sw]));

        var inputs = new List<string> { Nchw(x), w };
        string[] fused = node.GetStringList("fused_ops");
        int extra = 2;
        string? activation = null;
        string? alphaRef = null;
        if (fused.Length > 0)
        {
            if (fused.Length > 2 || fused[0] is not ("BiasAdd" or "NoOp"))
            {
                throw new NotSupportedException($"{node}: fused_ops [{string.Join(",", fused)}] is not supported.");
            }

            if (fused[0] == "BiasAdd")
            {
                TensorData bias = ConstIn(node, extra++);
                inputs.Add(AddInitializer(bias.CastTo(TfDataType.Float), node.Name + "/B"));
            }

            if (fused.Length == 2)
            {
                activation = fused[1];
                if (activation == "Prelu")
                {
                    alphaRef = node.Inputs[extra];
                }
            }
        }

        string y = Emit("Conv", inputs, node.Name + "/conv", [.. attrs]);
        y = Activation(node, y, activation, alphaRef);
        Set(node, 0, new Value(y, TfDataType.Float, 4, TensorLayout.Nchw));
    }

    /// <summary>Applies a fused activation to an NCHW tensor.</summary>
    private string Activation(TfjsNode node, string y, string? activation, string? alphaRef)
    {
        switch (activation)
        {
            case null:
                return y;
            case "Relu":
                return Emit("Relu", [y]);
            case "Relu6":
                return Emit("Clip", [y, FloatScalar(0), FloatScalar(6)]);
            case "Elu":
                return Emit("Elu", [y], null, ("alpha", 1f));
            case "Sigmoid":
                return Emit("Sigmoid", [y]);
            case "LeakyRelu":
                return Emit("LeakyRelu", [y], null, ("alpha", node.GetFloat("leakyrelu_alpha", 0.2f)));
            case "Prelu":
                TensorData a = Get(alphaRef!).Constant ?? throw new NotSupportedException($"{node}: PReLU alpha must be constant.");
                long c = a.ElementCount;
                string slope = AddInitializer(new TensorData([c, 1, 1], Enumerable.Range(0, (int)c).Select(i => (float)a.GetDouble(i)).ToArray()), node.Name + "/slope");
                return Emit("PRelu", [y, slope]);
            default:
                throw new NotSupportedException($"{node}: fused activation '{activation}' is not supported.");
        }
    }

    /// <summary>ONNX <c>pads</c>/<c>auto_pad</c> for TF padding (doc §3). SAME with stride 1 is static.</summary>
    private static List<(string, object)> PaddingAttributes(TfjsNode node, long[] effK, long[] strides)
    {
        string padding = node.GetString("padding", "VALID");
        switch (padding)
        {
            case "VALID":
                return [("pads", new long[] { 0, 0, 0, 0 })];
            case "EXPLICIT":
                long[] e = node.GetIntList("explicit_paddings");
                return [("pads", new[] { e[2], e[4], e[3], e[5] })];
            case "SAME":
                if (strides.All(s => s == 1))
                {
                    long th = effK[0] - 1, tw = effK[1] - 1;
                    return [("pads", new[] { th / 2, tw / 2, th - (th / 2), tw - (tw / 2) })];
                }

                // ONNX SAME_UPPER is TF's rule (odd pad at the end); used because spatial sizes may be dynamic.
                return [("auto_pad", "SAME_UPPER")];
            default:
                throw new NotSupportedException($"{node}: padding '{padding}' is not supported.");
        }
    }

    private void ConvertPool(TfjsNode node)
    {
        Value x = In(node, 0);
        long[] k = node.GetIntList("ksize");
        long[] s = node.GetIntList("strides");
        var attrs = new List<(string, object)>
        {
            ("kernel_shape", new[] { k[1], k[2] }),
            ("strides", new[] { s[1], s[2] }),
        };
        attrs.AddRange(PaddingAttributes(node, [k[1], k[2]], [s[1], s[2]]));
        string op = node.Op == "MaxPool" ? "MaxPool" : "AveragePool";
        if (op == "AveragePool")
        {
            attrs.Add(("count_include_pad", 0));
        }

        Set(node, 0, new Value(Emit(op, [Nchw(x)], null, [.. attrs]), x.Type, 4, TensorLayout.Nchw));
    }

    private void ConvertConvTranspose(TfjsNode node)
    {
        TensorData sizes = ConstIn(node, 0);
        TensorData filter = ConstIn(node, 1);
        Value x = In(node, 2);
        long[] target = sizes.ToInt64Array();
        long kh = filter.Shape[0], kw = filter.Shape[1];
        long[] strides = node.GetIntList("strides");
        long[] st = [strides.Length == 4 ? strides[1] : 1, strides.Length == 4 ? strides[2] : 1];
        long[] k = [kh, kw];
        string padding = node.GetString("padding", "VALID");
        long[] explicitPads = node.GetIntList("explicit_paddings");
        var begin = new long[2];
        var end = new long[2];
        var outPad = new long[2];
        for (int i = 0; i < 2; i++)
        {
            long t = target[i + 1];

            // Incoming size h follows from the forward conv of the target size.
            long h = padding == "VALID" ? ((t - k[i]) / st[i]) + 1 : (t + st[i] - 1) / st[i];
            long full = (st[i] * (h - 1)) + k[i];
            long pb = padding switch
            {
                "SAME" => Math.Max(full - t, 0) / 2,
                "EXPLICIT" => explicitPads[2 + (2 * i)],
                _ => 0,
            };
            long r = full - pb - t;
            begin[i] = pb;
            end[i] = r >= 0 ? r : 0;
            outPad[i] = r >= 0 ? 0 : -r;
        }

        string w = AddInitializer(Transpose(filter, filter.Shape, [3, 2, 0, 1]), node.Name + "/W");
        string y = Emit("ConvTranspose", [Nchw(x), w], null,
            ("kernel_shape", k), ("strides", st), ("pads", new[] { begin[0], begin[1], end[0], end[1] }), ("output_padding", outPad));
        Set(node, 0, new Value(y, TfDataType.Float, 4, TensorLayout.Nchw));
    }

    private void ConvertResize(TfjsNode node)
    {
        Value x = In(node, 0);
        Value size = In(node, 1);
        bool alignCorners = node.GetBool("align_corners");
        bool halfPixel = node.GetBool("half_pixel_centers");
        if (alignCorners && halfPixel)
        {
            throw new NotSupportedException($"{node}: align_corners and half_pixel_centers cannot both be true.");
        }

        string input = Nchw(x);
        if (x.Type != TfDataType.Float && node.Op == "ResizeBilinear")
        {
            input = Emit("Cast", [input], null, ("to", (int)TensorProto.Types.DataType.Float));
        }

        string nc = Emit("Slice", [Emit("Shape", [input]), Int64Const(0), Int64Const(2)]);
        string target = AsInt64(size);
        if (size.Constant is null)
        {
            // A size computed with an unknown-rank operand (RVM: shape × downsample_ratio) is mis-inferred by ORT as
            // empty; TF's size is always [2], so say so with a static Reshape.
            target = Emit("Reshape", [target, Int64Const(2)]);
        }

        string sizes = Emit("Concat", [nc, target], null, ("axis", 0));
        string mode = alignCorners ? "align_corners" : halfPixel ? (node.Op == "ResizeBilinear" ? "half_pixel" : "tf_half_pixel_for_nn") : "asymmetric";
        var attrs = new List<(string, object)> { ("mode", node.Op == "ResizeBilinear" ? "linear" : "nearest"), ("coordinate_transformation_mode", mode) };
        if (node.Op != "ResizeBilinear")
        {
            attrs.Add(("nearest_mode", alignCorners ? "round_prefer_ceil" : "floor"));
        }

        string y = Emit("Resize", [input, string.Empty, string.Empty, sizes], null, [.. attrs]);
        Set(node, 0, new Value(y, node.Op == "ResizeBilinear" ? TfDataType.Float : x.Type, 4, TensorLayout.Nchw));
    }

    /// <summary>Square-block SpaceToBatchND in NCHW: Pad, then [C,N,H,W] SpaceToDepth (its channel order is TF's batch order).</summary>
    private void ConvertSpaceToBatch(TfjsNode node)
    {
        Value x = In(node, 0);
        long block = SquareBlock(node);
        Value paddings = In(node, 2);

        // paddings [2,2] (H,W) → ONNX NCHW pads [0,0,hb,wb,0,0,he,we].
        string hw = Emit("Reshape", [Emit("Transpose", [AsInt64(paddings)], null, ("perm", Transpose2D)), Int64Const(2, 2)]);
        string zeros = Int64Const(0, 0, 0, 0);
        string z2 = Emit("Reshape", [zeros, Int64Const(2, 2)]);
        string pads = Emit("Reshape", [Emit("Concat", [z2, hw], null, ("axis", 1)), Int64Const(-1)]);
        string padded = Emit("Pad", [Nchw(x), pads], null, ("mode", "constant"));
        string cnhw = Emit("Transpose", [padded], null, ("perm", SwapBatchAndChannels));
        string s2d = Emit("SpaceToDepth", [cnhw], null, ("blocksize", block));
        string y = Emit("Transpose", [s2d], null, ("perm", SwapBatchAndChannels));
        Set(node, 0, new Value(y, x.Type, 4, TensorLayout.Nchw));
    }

    /// <summary>Square-block BatchToSpaceND in NCHW: [C,N,H,W] DepthToSpace (DCR), then crop.</summary>
    private void ConvertBatchToSpace(TfjsNode node)
    {
        Value x = In(node, 0);
        long block = SquareBlock(node);
        Value crops = In(node, 2);
        string cnhw = Emit("Transpose", [Nchw(x)], null, ("perm", SwapBatchAndChannels));
        string d2s = Emit("DepthToSpace", [cnhw], null, ("blocksize", block), ("mode", "DCR"));
        string y = Emit("Transpose", [d2s], null, ("perm", SwapBatchAndChannels));

        // crops [[hb,he],[wb,we]]: slice H,W (axes 2,3) from begin to size-end.
        string c = AsInt64(crops);
        string starts = Emit("Reshape", [Emit("Slice", [c, Int64Const(0), Int64Const(1), Int64Const(1)]), Int64Const(-1)]);
        string ends = Emit("Reshape", [Emit("Slice", [c, Int64Const(1), Int64Const(2), Int64Const(1)]), Int64Const(-1)]);
        string dims = Emit("Slice", [Emit("Shape", [y]), Int64Const(2), Int64Const(4)]);
        string stop = Emit("Sub", [dims, ends]);
        y = Emit("Slice", [y, starts, stop, Int64Const(2, 3)]);
        Set(node, 0, new Value(y, x.Type, 4, TensorLayout.Nchw));
    }

    /// <summary>The block size of a SpaceToBatchND/BatchToSpaceND node (input 1), which must be square and 2-D.</summary>
    private long SquareBlock(TfjsNode node)
    {
        long[] block = ConstIn(node, 1).ToInt64Array();
        if (block.Length != 2 || block[0] != block[1])
        {
            throw new NotSupportedException($"{node}: only square 2-D blocks are supported.");
        }

        return block[0];
    }
}
