using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace StreamSeg.Import.Tests;

/// <summary>
/// <see cref="BatchGraphSplitter"/> on small generated graphs: where it cuts (the batch-free part ends where the batch
/// is baked in, shape arithmetic that carries the batch through is followed), that the parts run at batch N and 1 give
/// what the whole model gives each frame, and why a graph is not split.
/// </summary>
public class BatchGraphSplitterTests
{
    private static TensorProto Int64s(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    /// <summary>
    /// x [1,2,4,4] → Conv → Sigmoid (s) → Resize to twice H and W, its sizes read from s's shape (the batch included)
    /// → r; then Reshape to [1,-1] (the batch baked in) → TopK 5 → top. <paramref name="constantSizes"/> resizes to a
    /// constant [1,3,8,8] instead.
    /// </summary>
    private static ModelProto ConvResizeTopK(bool constantSizes)
    {
        var weights = new float[3 * 2 * 3 * 3];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = ((i * 7) % 11 - 5) / 10f;
        }

        var b = new OnnxModelBuilder()
            .Input("x", DataType.Float, [1L, 2L, 4L, 4L])
            .Initializer("w", weights, 3, 2, 3, 3)
            .Node("Conv", ["x", "w"], ["c"], null, new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } })
            .Node("Sigmoid", ["c"], ["s"]);
        if (constantSizes)
        {
            b.Node("Resize", ["s", string.Empty, string.Empty, "const_sizes"], ["r"]);
        }
        else
        {
            b.Node("Shape", ["s"], ["shape"])
                .Node("Slice", ["shape", "zero", "two"], ["nc"])
                .Node("Slice", ["shape", "two", "four"], ["hw"])
                .Node("Mul", ["hw", "two"], ["hw2"])
                .Node("Concat", ["nc", "hw2"], ["sizes"], null, OnnxModelBuilder.IntAttribute("axis", 0))
                .Node("Resize", ["s", string.Empty, string.Empty, "sizes"], ["r"]);
        }

        ModelProto model = b
            .Node("Reshape", ["r", "flat_shape"], ["flat"])
            .Node("TopK", ["flat", "k"], ["top", "top_index"], null, OnnxModelBuilder.IntAttribute("axis", 1))
            .Output("top", DataType.Float)
            .Build();
        model.Graph.Initializer.Add([Int64s("zero", 0), Int64s("two", 2), Int64s("four", 4), Int64s("flat_shape", 1, -1), Int64s("k", 5), Int64s("const_sizes", 1, 3, 8, 8)]);
        return model;
    }

    private static float[] Frame(int seed)
    {
        var data = new float[2 * 4 * 4];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)Math.Sin((i + 1) * (seed + 1) * 0.37);
        }

        return data;
    }

    private static NamedOnnxValue Tensor(string name, float[] data, params int[] shape) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data, shape));

    [Fact]
    public void Split_BatchBakedInAfterAResize_CutsAtTheResize_AndThePartsGiveEachFrameWhatTheWholeModelGives()
    {
        ModelProto model = ConvResizeTopK(constantSizes: false);
        BatchGraphSplit split = BatchGraphSplitter.Split(model.ToByteArray(), "x");
        Assert.True(split.IsSplit, split.Description);
        Assert.Equal(["r"], split.Cut);

        ModelProto backbone = ModelProto.Parser.ParseFrom(split.Backbone);
        ModelProto head = ModelProto.Parser.ParseFrom(split.Head);
        Assert.Equal(["Conv", "Sigmoid", "Shape", "Slice", "Slice", "Mul", "Concat", "Resize"], backbone.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Reshape", "TopK"], head.Graph.Node.Select(n => n.OpType));
        Assert.Equal("batch", backbone.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(1, head.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.Contains(backbone.Graph.Initializer, t => t.Name == "w");
        Assert.DoesNotContain(head.Graph.Initializer, t => t.Name == "w");

        float[][] frames = [Frame(0), Frame(1), Frame(2)];
        float[] stacked = [.. frames.SelectMany(f => f)];
        (float[] cut, int[] cutShape) = OrtRunner.Run(backbone, [Tensor("x", stacked, 3, 2, 4, 4)])["r"];
        Assert.Equal([3, 3, 8, 8], cutShape);
        int row = cut.Length / 3;
        for (int f = 0; f < frames.Length; f++)
        {
            float[] alone = OrtRunner.Run(model, [Tensor("x", frames[f], 1, 2, 4, 4)])["top"].Data;
            float[] parts = OrtRunner.Run(head, [Tensor("r", cut[(f * row)..((f + 1) * row)], 1, 3, 8, 8)])["top"].Data;
            Assert.Equal(alone, parts);
        }

        Assert.NotEqual(OrtRunner.Run(model, [Tensor("x", frames[0], 1, 2, 4, 4)])["top"].Data, OrtRunner.Run(model, [Tensor("x", frames[1], 1, 2, 4, 4)])["top"].Data);
    }

    [Fact]
    public void Split_ResizeToConstantSizes_FixesTheBatch_SoTheCutIsBeforeIt()
    {
        BatchGraphSplit split = BatchGraphSplitter.Split(ConvResizeTopK(constantSizes: true).ToByteArray(), "x");
        Assert.True(split.IsSplit, split.Description);
        Assert.Equal(["s"], split.Cut);
        Assert.Equal(["Resize", "Reshape", "TopK"], ModelProto.Parser.ParseFrom(split.Head).Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Split_ReshapeThatCopiesTheBatchKeepsIt_TransposeThatMovesItDoesNot()
    {
        // Reshape to [0,-1] copies the batch dimension; Transpose [1,0] moves it off axis 0, so it runs per frame.
        ModelProto model = new OnnxModelBuilder()
            .Input("x", DataType.Float, [1L, 2L, 4L, 4L])
            .Node("Reshape", ["x", "keep_batch"], ["a"])
            .Node("Relu", ["a"], ["r"])
            .Node("Transpose", ["r"], ["t"], null, new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0 } })
            .Output("t", DataType.Float)
            .Build();
        model.Graph.Initializer.Add(Int64s("keep_batch", 0, -1));
        BatchGraphSplit split = BatchGraphSplitter.Split(model.ToByteArray(), "x");
        Assert.True(split.IsSplit, split.Description);
        Assert.Equal(["r"], split.Cut);
        Assert.Equal(["Reshape", "Relu"], ModelProto.Parser.ParseFrom(split.Backbone).Graph.Node.Select(n => n.OpType));
        Assert.Equal(["Transpose"], ModelProto.Parser.ParseFrom(split.Head).Graph.Node.Select(n => n.OpType));
        Assert.Equal(2, ModelProto.Parser.ParseFrom(split.Head).Graph.Input[0].Type.TensorType.Shape.Dim.Count);
    }

    [Fact]
    public void Split_BatchBakedInAtTheFirstOp_IsNotSplit_AndSaysWhy()
    {
        ModelProto model = new OnnxModelBuilder()
            .Input("x", DataType.Float, [1L, 2L, 4L, 4L])
            .Node("Reshape", ["x", "flat_shape"], ["flat"])
            .Node("Relu", ["flat"], ["y"])
            .Output("y", DataType.Float)
            .Build();
        model.Graph.Initializer.Add(Int64s("flat_shape", 1, -1));
        BatchGraphSplit split = BatchGraphSplitter.Split(model.ToByteArray(), "x");
        Assert.False(split.IsSplit);
        Assert.Null(split.Backbone);
        Assert.Equal("no part of the graph keeps the batch axis free", split.Description);
    }

    [Fact]
    public void Split_GraphFreeOfTheBatchThroughout_IsNotSplit_AndSaysWhy()
    {
        BatchGraphSplit split = BatchGraphSplitter.Split(OnnxModelBuilder.Identity("x", DataType.Float, 1L, 3L).ToByteArray(), "x");
        Assert.False(split.IsSplit);
        Assert.Equal("output 'output' keeps the batch axis free all the way (nothing to split)", split.Description);
    }

    [Fact]
    public void Split_TwoInputs_IsNotSplit_AndSaysWhy()
    {
        ModelProto model = new OnnxModelBuilder()
            .Input("x", DataType.Float, [1L, 3L])
            .Input("y", DataType.Float, [1L, 3L])
            .Node("Add", ["x", "y"], ["z"])
            .Output("z", DataType.Float)
            .Build();
        BatchGraphSplit split = BatchGraphSplitter.Split(model.ToByteArray(), "x");
        Assert.False(split.IsSplit);
        Assert.Equal("the graph has 2 inputs; only a single image input 'x' is split", split.Description);
    }
}
