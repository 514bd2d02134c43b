using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Preprocess;

/// <summary>The uint8 upload: the preprocess stage writes the resized, padded frame as BGR bytes and nothing else.</summary>
public class PixelUploadTests
{
    private static Mat Gradient(int width, int height)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                mat.Set(y, x, new Vec3b((byte)(x * 3), (byte)(y * 5), (byte)((x + y) % 256)));
            }
        }

        return mat;
    }

    [Fact]
    public void Write_Bgr8Letterbox_IsTheResizedFrameAsBgrBytes_PaddedWithThePadValue()
    {
        InputSpec spec = new InputSpec("images", 64, 64) with { Upload = PixelUpload.Bgr8 };
        using Mat frame = Gradient(80, 40);
        Assert.Equal([1L, 64, 64, 3], TensorWriter.ShapeFor(spec, 80, 40));
        Assert.Equal(TensorElement.UInt8, TensorWriter.ElementFor(spec));
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, 80, 40), TensorElement.UInt8);
        using var writer = new TensorWriter();

        LetterboxTransform t = writer.Write(frame, spec, tensor);

        // 80×40 → 64×32, centred: 16 rows of padding above and below.
        Assert.Equal((64, 32, 0, 16), (t.ResizedWidth, t.ResizedHeight, t.PadX, t.PadY));
        using var resized = new Mat();
        Cv2.Resize(frame, resized, new Size(64, 32), 0, 0, InterpolationFlags.Linear);
        byte[] bytes = tensor.Bytes!;
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                Vec3b expected = y is >= 16 and < 48 ? resized.At<Vec3b>(y - 16, x) : new Vec3b(114, 114, 114);
                int o = ((y * 64) + x) * 3;
                Assert.True(
                    (bytes[o], bytes[o + 1], bytes[o + 2]) == (expected.Item0, expected.Item1, expected.Item2),
                    $"pixel ({x},{y}): got {bytes[o]},{bytes[o + 1]},{bytes[o + 2]}, expected {expected.Item0},{expected.Item1},{expected.Item2}");
            }
        }
    }

    [Fact]
    public void Write_Bgr8TfResize_StoresTheQuantisedValuesTheFloatPathScales()
    {
        // MoveNet-style input: TF asymmetric resize, int32 (truncating) — the bytes must be the truncated values.
        var floatSpec = new InputSpec("input", 48, 32, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32) { Resize = ResizeMode.TfAsymmetric };
        InputSpec byteSpec = floatSpec with { Upload = PixelUpload.Bgr8 };
        using Mat frame = Gradient(77, 51);
        using var writer = new TensorWriter();
        using PooledTensor ints = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(floatSpec, 77, 51), TensorElement.Int32);
        using PooledTensor bytes = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(byteSpec, 77, 51), TensorElement.UInt8);
        writer.Write(frame, floatSpec, ints);
        writer.Write(frame, byteSpec, bytes);

        // Same values, channels swapped: the int tensor is RGB, the bytes stay BGR for the graph to reorder.
        for (int p = 0; p < 48 * 32; p++)
        {
            Assert.Equal(ints.Ints![(p * 3) + 0], bytes.Bytes![(p * 3) + 2]);
            Assert.Equal(ints.Ints![(p * 3) + 1], bytes.Bytes![(p * 3) + 1]);
            Assert.Equal(ints.Ints![(p * 3) + 2], bytes.Bytes![(p * 3) + 0]);
        }
    }
}
