using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using OpenCvSharp;
using StreamSeg.Cli;
using StreamSeg.Import;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Models;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// For each adapter's <see cref="InputSpec"/>, a model composed with <see cref="PixelPreprocessMapping.FromInputSpec"/>
/// and fed the uint8 BGR image must see exactly the tensor <see cref="TensorWriter"/> writes from that image today. The
/// model is an identity on the spec's input, so its output is the tensor the real model would get (ORT, CPU).
/// </summary>
public class PixelPreprocessMappingTests
{
    private readonly ITestOutputHelper _output;

    public PixelPreprocessMappingTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("yolo-seg.onnx")]
    [InlineData("yolo-pose.onnx")]
    [InlineData("maskrcnn.onnx")]
    [InlineData("rvm-toy.onnx")]
    [InlineData("movenet-multipose")]
    [InlineData("centernet-like")]
    public void FromInputSpec_AdapterInput_ComposedModelSeesWhatTensorWriterWrites(string source)
    {
        InputSpec spec = SpecFor(source);
        (int width, int height) = spec.NativeSize ? (97, 63) : spec.LongSide > 0 ? (96, 64) : (spec.Width, spec.Height);
        Assert.Equal((width, height), spec.SizeFor(width, height)); // no resize: the pixel math alone is compared
        bool int32 = spec.ElementType == InputElementType.Int32;
        long[] shape = TensorWriter.ShapeFor(spec, width, height);
        using Mat bgr = VtestCrop(width, height);
        using var expected = PooledTensor.CreateUnpooled(shape, int32);
        using (var writer = new TensorWriter())
        {
            writer.Write(bgr, spec, expected);
        }

        var composer = new PreprocessGraphComposer(PixelPreprocessMapping.FromInputSpec(spec));
        byte[] model = composer.Prepend(IdentityModel(spec.Name, int32 ? TensorProto.Types.DataType.Int32 : TensorProto.Types.DataType.Float, shape));
        var pixels = new byte[width * height * 3];
        Marshal.Copy(bgr.Data, pixels, 0, pixels.Length);
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(spec.Name, new DenseTensor<byte>(pixels, composer.InputShapeFor(width, height).Select(d => (int)d).ToArray()))]);

        _output.WriteLine($"{source}: {spec}");
        if (int32)
        {
            Assert.Equal(expected.Ints, results[0].AsTensor<int>().ToArray());
        }
        else
        {
            float[] actual = results[0].AsTensor<float>().ToArray();
            double max = expected.Floats!.Select((v, i) => Math.Abs((double)v - actual[i])).Max();
            _output.WriteLine($"max abs diff {max:G4} over {actual.Length} values");
            Assert.Equal(expected.Floats!.Length, actual.Length);
            Assert.True(max <= 1e-5, $"max abs diff {max}");
        }
    }

    [Fact]
    public void FromInputSpec_CopiesNameOrderScaleAndLayout()
    {
        var spec = new InputSpec("image", 0, 0, Letterbox: false, PadValue: 0, Rgb: false, Scale: 0.5f, Layout: TensorLayout.Chw);

        PixelPreprocessOptions options = PixelPreprocessMapping.FromInputSpec(spec);

        Assert.Equal(("image", PixelLayout.Chw, false), (options.InputName, options.Layout, options.Rgb));
        Assert.Equal(new[] { 0.5f }, options.Scale);
        Assert.Equal(new[] { 0f }, options.Offset);
    }

    private static InputSpec SpecFor(string source) => source switch
    {
        "movenet-multipose" => MoveNetMultiPoseAdapter.CreateInput("input", 96),

        // CenterNetAdapter's input: float NHWC RGB 0..255, stretched.
        "centernet-like" => new InputSpec("input_tensor", 96, 64, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f, Layout: TensorLayout.Nhwc),
        _ => ModelAdapterFactory.Create(OrtFixture.Signature(source)).Input,
    };

    private static Mat VtestCrop(int width, int height)
    {
        using Mat frame = Cv2.ImRead(Path.Combine(TestPaths.Data, "Oracle", "rvm", "seq.vtest_f000.input.png"), ImreadModes.Color);
        using var roi = new Mat(frame, new Rect((frame.Width - width) / 2, (frame.Height - height) / 2, width, height));
        return roi.Clone();
    }

    private static byte[] IdentityModel(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        tensor.Shape.Dim.AddRange(shape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } });
        graph.Output.Add(new ValueInfoProto { Name = "output", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } });
        var node = new NodeProto { OpType = "Identity", Name = "identity" };
        node.Input.Add(name);
        node.Output.Add("output");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }
}
