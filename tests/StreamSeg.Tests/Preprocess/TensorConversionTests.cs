using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Preprocess;

/// <summary>
/// Issue 16: the tensors are now converted by OpenCV's vectorised kernels (and one resize is shared by the models that
/// take the same size). Each layout, element type, channel order, scale and padding gives exactly what the per-pixel
/// definition gives: tensor = resized BGR pixel (channel swapped when RGB) · scale, truncated for int32, pad elsewhere.
/// </summary>
public sealed class TensorConversionTests : IDisposable
{
    private readonly Mat _frame = ReadFrame();

    public void Dispose() => _frame.Dispose();

    private static Mat ReadFrame()
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        var mat = new Mat();
        Assert.True(capture.Read(mat), $"cannot read {TestPaths.SampleVideo}");
        return mat;
    }

    public static TheoryData<string> Specs => new() { "rvm", "yolo-letterbox", "nchw-bgr-stretch", "int32-nhwc", "int32-scaled-nchw", "chw" };

    private static InputSpec Spec(string name) => name switch
    {
        "rvm" => new InputSpec("src", 0, 0, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Nhwc),
        "yolo-letterbox" => new InputSpec("images", 320, 320),
        "nchw-bgr-stretch" => new InputSpec("x", 200, 150, Letterbox: false, Rgb: false, Scale: 1f),
        "int32-nhwc" => new InputSpec("input", 256, 192, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32),
        "int32-scaled-nchw" => new InputSpec("input", 160, 160, PadValue: 3, Rgb: true, Scale: 0.5f, ElementType: InputElementType.Int32),
        _ => new InputSpec("image", 0, 0, Letterbox: false, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Chw),
    };

    /// <summary>The per-pixel definition, element by element, from an OpenCV bilinear resize (the writer's own resize).</summary>
    private static double[] Expected(Mat frame, InputSpec spec)
    {
        LetterboxTransform t = TensorWriter.TransformFor(spec, frame.Width, frame.Height);
        bool native = spec.NativeSize;
        int rw = native || !spec.Letterbox ? t.InputWidth : t.ResizedWidth;
        int rh = native || !spec.Letterbox ? t.InputHeight : t.ResizedHeight;
        int padX = native || !spec.Letterbox ? 0 : t.PadX;
        int padY = native || !spec.Letterbox ? 0 : t.PadY;
        using var resized = new Mat();
        Cv2.Resize(frame, resized, new Size(rw, rh), 0, 0, InterpolationFlags.Linear);
        int w = t.InputWidth;
        int h = t.InputHeight;
        bool ints = spec.ElementType == InputElementType.Int32;
        double pad = ints ? MathF.Round(spec.PadValue * spec.Scale) : spec.PadValue * spec.Scale;
        var expected = new double[w * h * 3];
        Array.Fill(expected, pad);
        for (int y = 0; y < rh; y++)
        {
            for (int x = 0; x < rw; x++)
            {
                Vec3b px = resized.At<Vec3b>(y, x);
                for (int c = 0; c < 3; c++)
                {
                    int bgr = spec.Rgb ? 2 - c : c;
                    float v = px[bgr] * spec.Scale;
                    int o = ((y + padY) * w) + x + padX;
                    int index = spec.Layout == TensorLayout.Nhwc ? (o * 3) + c : o + (c * w * h);
                    expected[index] = ints ? (int)v : v;
                }
            }
        }

        return expected;
    }

    private static double[] Actual(PooledTensor tensor) =>
        tensor.Floats is { } f ? Array.ConvertAll(f, v => (double)v) : Array.ConvertAll(tensor.Ints!, v => (double)v);

    [Theory]
    [MemberData(nameof(Specs))]
    public void Write_IsExactlyThePerPixelDefinition(string name)
    {
        InputSpec spec = Spec(name);
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, _frame.Width, _frame.Height), TensorWriter.ElementFor(spec));
        using var writer = new TensorWriter();

        // Twice: the second write reuses the scratch images and must overwrite, not accumulate.
        writer.Write(_frame, spec, tensor);
        writer.Write(_frame, spec, tensor);
        double[] expected = Expected(_frame, spec);
        double[] actual = Actual(tensor);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{name}: element {i} is {actual[i]}, expected {expected[i]}");
            }
        }
    }

    [Fact]
    public void WriteAll_ModelsOfTheSameSizeShareOneResize_EachGetsItsOwnConversion()
    {
        // Same size, different conversions (as two models fed 320×320 would be): sharing the resize must not share the
        // converted pixels; and a second frame must not reuse the first frame's resize.
        InputSpec a = Spec("yolo-letterbox");
        InputSpec b = a with { Name = "other", Rgb = false, Scale = 1f, Layout = TensorLayout.Nhwc };
        using var writer = new TensorWriter();
        using Mat second = new();
        Cv2.Flip(_frame, second, FlipMode.Y);
        foreach (Mat frame in new[] { _frame, second })
        {
            using PooledTensor ta = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(a, frame.Width, frame.Height), TensorElement.Float32);
            using PooledTensor tb = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(b, frame.Width, frame.Height), TensorElement.Float32);
            writer.WriteAll(frame, [a, b], [ta, tb]);
            Assert.Equal(Expected(frame, a), Actual(ta));
            Assert.Equal(Expected(frame, b), Actual(tb));
            Assert.Equal(TensorWriter.TransformFor(a, frame.Width, frame.Height), ta.Transform);
        }
    }
}
