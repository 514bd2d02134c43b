using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xunit.Abstractions;
using DataType = Onnx.TensorProto.Types.DataType;

namespace StreamSeg.Import.Tests;

/// <summary>
/// The composed model, fed the raw uint8 BGR pixels, must give what the original model gives on the C#-preprocessed
/// tensor (<see cref="PixelReference"/>): identity fixtures show the preprocessed tensor itself, the YOLO fixture and the
/// imported MoveNet and RVM show whole models. Everything runs on ONNX Runtime's CPU provider.
/// </summary>
public class PreprocessGraphComposerTests
{
    private const double FloatTolerance = 1e-5;

    private readonly ITestOutputHelper _output;

    public PreprocessGraphComposerTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("yolo: float NCHW RGB /255, static")]
    [InlineData("rvm: float NHWC RGB /255, symbolic")]
    [InlineData("movenet: int32 NHWC RGB 0..255")]
    [InlineData("rcnn: float CHW RGB /255, no batch")]
    [InlineData("centernet: float NHWC RGB 0..255")]
    [InlineData("caffe: float NCHW BGR mean/std, symbolic channels")]
    [InlineData("int32 NCHW affine, negative values")]
    public void Prepend_IdentityModel_OutputsTheCpuPreprocessedTensor(string kind)
    {
        const int Width = 65;
        const int Height = 47;
        (ModelProto model, PixelPreprocessOptions options, bool int32) = IdentityCase(kind, Width, Height);
        var composer = new PreprocessGraphComposer(options);
        byte[] bgr = TestImages.Crop(Width, Height);

        var actual = OrtRunner.Run(composer.Prepend(model), [Raw(options.InputName, bgr, composer.InputShapeFor(Width, Height))])["output"];

        int[] expectedShape = options.Layout switch
        {
            PixelLayout.Nchw => [1, 3, Height, Width],
            PixelLayout.Nhwc => [1, Height, Width, 3],
            _ => [3, Height, Width],
        };
        Assert.Equal(expectedShape, actual.Shape);
        if (int32)
        {
            int[] expected = PixelReference.Int32(bgr, Width, Height, options);
            Assert.Equal(expected.Select(v => (float)v).ToArray(), actual.Data);
        }
        else
        {
            AssertClose(kind, PixelReference.Float(bgr, Width, Height, options), actual.Data);
        }
    }

    [Fact]
    public void Prepend_YoloSegFixture_GivesTheOriginalOutputs()
    {
        byte[] modelBytes = File.ReadAllBytes(RepoFiles.FixtureModel("yolo-seg.onnx"));
        var options = new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw, Rgb = true, Scale = [1f / 255f] };
        var composer = new PreprocessGraphComposer(options);
        byte[] bgr = TestImages.Crop(320, 320);

        var original = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(modelBytes),
            [NamedOnnxValue.CreateFromTensor("images", new DenseTensor<float>(PixelReference.Float(bgr, 320, 320, options), [1, 3, 320, 320]))]);
        var composed = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(composer.Prepend(modelBytes)),
            [Raw("images", bgr, composer.InputShapeFor(320, 320))]);

        AssertSameOutputs("yolo-seg", original, composed);
    }

    [ImportedModelFact("movenet-multipose.onnx")]
    public void Prepend_MoveNetMultipose_GivesTheOriginalOutputs()
    {
        // The adapter's input for a 768×576 frame at long side 256: 256×192, int32 NHWC RGB 0..255.
        byte[] modelBytes = File.ReadAllBytes(RepoFiles.ImportedModel("movenet-multipose.onnx"));
        var options = new PixelPreprocessOptions { InputName = "input", Layout = PixelLayout.Nhwc, Rgb = true };
        var composer = new PreprocessGraphComposer(options);
        byte[] bgr = TestImages.Resized(256, 192);

        var original = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(modelBytes),
            [NamedOnnxValue.CreateFromTensor("input", new DenseTensor<int>(PixelReference.Int32(bgr, 256, 192, options), [1, 192, 256, 3]))]);
        var composed = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(composer.Prepend(modelBytes)),
            [Raw("input", bgr, composer.InputShapeFor(256, 192))]);

        AssertSameOutputs("movenet-multipose", original, composed);
    }

    [ImportedModelFact("rvm.onnx")]
    public void Prepend_Rvm_GivesTheOriginalOutputs()
    {
        byte[] modelBytes = File.ReadAllBytes(RepoFiles.ImportedModel("rvm.onnx"));
        var options = new PixelPreprocessOptions { InputName = "src", Layout = PixelLayout.Nhwc, Rgb = true, Scale = [1f / 255f] };
        var composer = new PreprocessGraphComposer(options);
        byte[] bgr = TestImages.Resized(512, 384);

        var original = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(modelBytes),
            RvmInputs(NamedOnnxValue.CreateFromTensor("src", new DenseTensor<float>(PixelReference.Float(bgr, 512, 384, options), [1, 384, 512, 3]))));
        var composed = OrtRunner.Run(
            ModelProto.Parser.ParseFrom(composer.Prepend(modelBytes)),
            RvmInputs(Raw("src", bgr, composer.InputShapeFor(512, 384))));

        AssertSameOutputs("rvm", original, composed);
    }

    [Fact]
    public void Prepend_RecurrentModel_KeepsOtherInputsOutputsValueInfoAndMetadata()
    {
        ModelProto model = RecurrentFixture();
        var options = new PixelPreprocessOptions { InputName = "src", Layout = PixelLayout.Nhwc, Scale = [1f / 255f] };

        ModelProto composed = new PreprocessGraphComposer(options).Prepend(model);

        GraphProto before = model.Graph;
        GraphProto after = composed.Graph;
        Assert.Equal(before.Input.Select(i => i.Name), after.Input.Select(i => i.Name));
        Assert.Equal(before.Input.Skip(1), after.Input.Skip(1));
        ValueInfoProto src = after.Input[0];
        Assert.Equal((int)DataType.Uint8, src.Type.TensorType.ElemType);
        Assert.Equal(new[] { "n", "h", "w" }, src.Type.TensorType.Shape.Dim.Take(3).Select(d => d.DimParam));
        Assert.Equal(3, src.Type.TensorType.Shape.Dim[3].DimValue);
        Assert.Equal(before.Output, after.Output);
        Assert.Equal(before.Initializer, after.Initializer);
        Assert.All(before.ValueInfo, v => Assert.Contains(v, after.ValueInfo));
        Assert.Equal(model.MetadataProps, composed.MetadataProps.Take(model.MetadataProps.Count));
        Assert.Equal(PreprocessGraphComposer.MetadataKey, composed.MetadataProps[^1].Key);
        Assert.Equal(
            (model.IrVersion, model.ProducerName, model.ProducerVersion, model.Domain, model.ModelVersion, model.DocString),
            (composed.IrVersion, composed.ProducerName, composed.ProducerVersion, composed.Domain, composed.ModelVersion, composed.DocString));
        Assert.Equal(model.OpsetImport, composed.OpsetImport);
        AssertUniqueNames(after);

        // And it runs: fgr = src · ratio, r1o = r1i + ratio, with src the preprocessed pixels.
        byte[] bgr = TestImages.Crop(8, 6);
        var outputs = OrtRunner.Run(composed, [
            Raw("src", bgr, [1, 6, 8, 3]),
            NamedOnnxValue.CreateFromTensor("r1i", new DenseTensor<float>(new[] { 1f, 2f }, [1, 2, 1, 1])),
            NamedOnnxValue.CreateFromTensor("downsample_ratio", new DenseTensor<float>(new[] { 0.5f }, [])),
        ]);
        AssertClose("fgr", PixelReference.Float(bgr, 8, 6, options).Select(v => v * 0.5f).ToArray(), outputs["fgr"].Data);
        Assert.Equal(new[] { 1.5f, 2.5f }, outputs["r1o"].Data);
    }

    [Fact]
    public void Prepend_ModelProto_LeavesTheArgumentUnchanged()
    {
        ModelProto model = RecurrentFixture();
        ModelProto copy = model.Clone();

        _ = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "src", Layout = PixelLayout.Nhwc }).Prepend(model);

        Assert.Equal(copy, model);
    }

    [Fact]
    public void Prepend_NamesAlreadyTaken_ChoosesFreshOnes()
    {
        // The graph already uses the names the composer would pick first for its tensor and nodes.
        ModelProto model = new OnnxModelBuilder()
            .Input("images", DataType.Float, [1L, 3L, 4L, 5L])
            .Node("Identity", ["images"], ["images/preprocessed"], "n:preprocess/images/Cast")
            .Node("Identity", ["images/preprocessed"], ["preprocess/images/cast"], "n:preprocess/images/bgr_to_rgb")
            .Node("Add", ["preprocess/images/cast", "images"], ["output"], "n:preprocess/images/Gather")
            .Output("output", DataType.Float)
            .Build();
        var options = new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw, Scale = [1f / 255f] };

        ModelProto composed = new PreprocessGraphComposer(options).Prepend(model);

        AssertUniqueNames(composed.Graph);
        byte[] bgr = TestImages.Crop(5, 4);
        var output = OrtRunner.Run(composed, [Raw("images", bgr, [1, 4, 5, 3])])["output"];
        AssertClose("output", PixelReference.Float(bgr, 5, 4, options).Select(v => v + v).ToArray(), output.Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Prepend_InputUsedInsideSubgraphs_RenamesThoseUsesToo(bool condition)
    {
        GraphProto thenBranch = new OnnxModelBuilder().Node("Identity", ["images"], ["then_out"]).Output("then_out", DataType.Float).Build().Graph;
        GraphProto elseBranch = new OnnxModelBuilder().Node("Neg", ["images"], ["else_out"]).Output("else_out", DataType.Float).Build().Graph;
        ModelProto model = new OnnxModelBuilder()
            .Input("images", DataType.Float, [1L, 3L, 4L, 5L])
            .Input("condition", DataType.Bool, [])
            .Node("If", ["condition"], ["output"], null, OnnxModelBuilder.GraphAttribute("then_branch", thenBranch), OnnxModelBuilder.GraphAttribute("else_branch", elseBranch))
            .Output("output", DataType.Float)
            .Build();
        var options = new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw, Scale = [1f / 255f] };
        byte[] bgr = TestImages.Crop(5, 4);

        var output = OrtRunner.Run(new PreprocessGraphComposer(options).Prepend(model), [
            Raw("images", bgr, [1, 4, 5, 3]),
            NamedOnnxValue.CreateFromTensor("condition", new DenseTensor<bool>(new[] { condition }, [])),
        ])["output"];

        float sign = condition ? 1f : -1f;
        AssertClose("output", PixelReference.Float(bgr, 5, 4, options).Select(v => sign * v).ToArray(), output.Data);
    }

    [Theory]
    [InlineData(PixelLayout.Nchw, new object[] { 1L, 4L, 8L, 8L }, "Float[1,4,8,8], with 4 channels on axis 1", "[N,3,H,W]")]
    [InlineData(PixelLayout.Nchw, new object[] { 1L, 8L, 8L }, "Float[1,8,8]", "[N,3,H,W]")]
    [InlineData(PixelLayout.Nhwc, new object[] { "n", 8L, 8L, 1L }, "Float[n,8,8,1], with 1 channels on axis 3", "[N,H,W,3]")]
    [InlineData(PixelLayout.Chw, new object[] { 1L, 3L, 8L, 8L }, "Float[1,3,8,8]", "[3,H,W]")]
    [InlineData(PixelLayout.Nchw, null, "Float of unknown rank", "[N,3,H,W]")]
    public void Prepend_InputNotAThreeChannelImage_ThrowsNamingInputAndExpectation(PixelLayout layout, object[]? dims, string found, string expected)
    {
        // Null dims: an input of unknown rank.
        ModelProto model = OnnxModelBuilder.Identity("images", DataType.Float, dims!);
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "images", Layout = layout });

        var ex = Assert.Throws<NotSupportedException>(() => composer.Prepend(model));

        _output.WriteLine(ex.Message);
        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(found, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("3 channels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepend_Twice_ThrowsSayingTheInputIsAlreadyUint8()
    {
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw });
        ModelProto once = composer.Prepend(OnnxModelBuilder.Identity("images", DataType.Float, 1L, 3L, 8L, 8L));

        var ex = Assert.Throws<NotSupportedException>(() => composer.Prepend(once));

        Assert.Contains("'images' is Uint8[1,8,8,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("already prepended", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepend_UnknownInput_ThrowsListingTheInputs()
    {
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "image", Layout = PixelLayout.Nchw });

        var ex = Assert.Throws<ArgumentException>(() => composer.Prepend(OnnxModelBuilder.Identity("images", DataType.Float, 1L, 3L, 8L, 8L)));

        Assert.Contains("no input 'image'; its inputs are 'images'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepend_OpsetBelow7_Throws()
    {
        ModelProto model = OnnxModelBuilder.Identity("images", DataType.Float, 1L, 3L, 8L, 8L);
        model.OpsetImport[0].Version = 6;
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw });

        var ex = Assert.Throws<NotSupportedException>(() => composer.Prepend(model));

        Assert.Contains("opset 6; at least opset 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepend_InputThatIsAlsoAnOutput_Throws()
    {
        ModelProto model = new OnnxModelBuilder().Input("images", DataType.Float, [1L, 3L, 8L, 8L]).Output("images", DataType.Float).Build();
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw });

        var ex = Assert.Throws<NotSupportedException>(() => composer.Prepend(model));

        Assert.Contains("'images' is also a graph output", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepend_BytesThatAreNotAModel_ThrowsInvalidData()
    {
        var composer = new PreprocessGraphComposer(new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw });

        Assert.Throws<InvalidDataException>(() => composer.Prepend([0xff, 0xff, 0xff, 0xff]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("scale")]
    [InlineData("offset")]
    public void Constructor_InvalidOptions_Throws(string what)
    {
        var options = new PixelPreprocessOptions
        {
            InputName = what.Length == 0 ? string.Empty : "images",
            Layout = PixelLayout.Nchw,
            Scale = what == "scale" ? [1f, 2f] : [1f],
            Offset = what == "offset" ? [float.NaN] : [0f],
        };

        Assert.ThrowsAny<ArgumentException>(() => new PreprocessGraphComposer(options));
    }

    private static (ModelProto Model, PixelPreprocessOptions Options, bool Int32) IdentityCase(string kind, int w, int h)
    {
        // Caffe-style BGR mean/std in the model's channel order (B, G, R): (x − mean) / std = x · (1/std) − mean/std.
        float[] mean = [103.94f, 116.78f, 123.68f];
        float[] std = [57.375f, 57.12f, 58.395f];
        return kind.Split(':')[0] switch
        {
            "yolo" => (OnnxModelBuilder.Identity("images", DataType.Float, 1L, 3L, (long)h, (long)w),
                new PixelPreprocessOptions { InputName = "images", Layout = PixelLayout.Nchw, Rgb = true, Scale = [1f / 255f] }, false),
            "rvm" => (OnnxModelBuilder.Identity("src", DataType.Float, "batch", "height", "width", 3L),
                new PixelPreprocessOptions { InputName = "src", Layout = PixelLayout.Nhwc, Rgb = true, Scale = [1f / 255f] }, false),
            "movenet" => (OnnxModelBuilder.Identity("input", DataType.Int32, 1L, "input_d1", "input_d2", 3L),
                new PixelPreprocessOptions { InputName = "input", Layout = PixelLayout.Nhwc, Rgb = true }, true),
            "rcnn" => (OnnxModelBuilder.Identity("image", DataType.Float, 3L, "height", "width"),
                new PixelPreprocessOptions { InputName = "image", Layout = PixelLayout.Chw, Rgb = true, Scale = [1f / 255f] }, false),
            "centernet" => (OnnxModelBuilder.Identity("input_tensor", DataType.Float, 1L, (long)h, (long)w, 3L),
                new PixelPreprocessOptions { InputName = "input_tensor", Layout = PixelLayout.Nhwc, Rgb = true }, false),
            "caffe" => (OnnxModelBuilder.Identity("data", DataType.Float, "n", "c", "h", "w"),
                new PixelPreprocessOptions
                {
                    InputName = "data",
                    Layout = PixelLayout.Nchw,
                    Rgb = false,
                    Scale = std.Select(s => 1f / s).ToArray(),
                    Offset = mean.Select((m, c) => -m / std[c]).ToArray(),
                },
                false),
            _ => (OnnxModelBuilder.Identity("x", DataType.Int32, 1L, 3L, (long)h, (long)w),
                new PixelPreprocessOptions { InputName = "x", Layout = PixelLayout.Nchw, Rgb = true, Scale = [0.5f], Offset = [-100.25f, 0f, 3.5f] }, true),
        };
    }

    /// <summary>A small RVM-shaped model: image src, a recurrent state, a scalar ratio, a value_info entry, an initializer and metadata.</summary>
    private static ModelProto RecurrentFixture() => new OnnxModelBuilder()
        .Input("src", DataType.Float, ["n", "h", "w", 3L])
        .Input("r1i", DataType.Float, [1L, "c1", "h1", "w1"])
        .Input("downsample_ratio", DataType.Float, [])
        .Initializer("zero", [0f], 1)
        .Node("Mul", ["src", "downsample_ratio"], ["scaled"])
        .Node("Add", ["scaled", "zero"], ["fgr"])
        .Node("Add", ["r1i", "downsample_ratio"], ["r1o"])
        .ValueInfo("scaled", DataType.Float, ["n", "h", "w", 3L])
        .Output("fgr", DataType.Float, ["n", "h", "w", 3L])
        .Output("r1o", DataType.Float, [1L, "c1", "h1", "w1"])
        .Metadata("author", "StreamSeg tests")
        .Metadata("names", "{0: 'person'}")
        .Build();

    private static List<NamedOnnxValue> RvmInputs(NamedOnnxValue src)
    {
        var inputs = new List<NamedOnnxValue> { src, NamedOnnxValue.CreateFromTensor("downsample_ratio", new DenseTensor<float>(new[] { 0.5f }, [])) };
        foreach (string r in new[] { "r1i", "r2i", "r3i", "r4i" })
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor(r, new DenseTensor<float>(new[] { 0f }, [])));
        }

        return inputs;
    }

    private static NamedOnnxValue Raw(string name, byte[] bgr, long[] shape) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<byte>(bgr, shape.Select(d => (int)d).ToArray()));

    private static void AssertUniqueNames(GraphProto graph)
    {
        string[] produced = [.. graph.Input.Select(i => i.Name), .. graph.Initializer.Select(t => t.Name), .. graph.Node.SelectMany(n => n.Output)];
        Assert.Equal(produced.Length, produced.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct(StringComparer.Ordinal).Count());
    }

    private void AssertSameOutputs(string model, Dictionary<string, (float[] Data, int[] Shape)> expected, Dictionary<string, (float[] Data, int[] Shape)> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, (float[] data, int[] shape)) in expected)
        {
            Assert.Equal(shape, actual[name].Shape);
            AssertClose($"{model}/{name} [{string.Join(",", shape)}]", data, actual[name].Data);
        }
    }

    private void AssertClose(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (d > max || double.IsNaN(d))
            {
                max = double.IsNaN(d) ? double.PositiveInfinity : d;
                worst = i;
            }
        }

        _output.WriteLine($"{what}: max abs diff {max:G4} over {expected.Length} values");
        Assert.True(max <= FloatTolerance, $"{what}: max abs diff {max} > {FloatTolerance} at {worst} (expected {(worst >= 0 ? expected[worst] : 0)}, got {(worst >= 0 ? actual[worst] : 0)}).");
    }
}
