using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Preprocess;

public class LetterboxTransformTests
{
    [Theory]
    [InlineData(768, 576, 640, 640, 0.8333333f, 0, 80)]   // vtest.avi into 640: 640×480, 80 px bands top and bottom
    [InlineData(640, 480, 320, 320, 0.5f, 0, 40)]
    [InlineData(480, 640, 640, 640, 1f, 80, 0)]
    [InlineData(159, 100, 160, 160, 1.0062893f, 0, 29)]   // 160×101: dh = 29.5, top = round(29.4)
    [InlineData(161, 100, 160, 160, 0.99378884f, 0, 30)]
    public void Compute_MatchesUltralyticsLetterBox(int w, int h, int inW, int inH, float scale, int padX, int padY)
    {
        LetterboxTransform t = LetterboxTransform.Compute(w, h, inW, inH);
        Assert.Equal(scale, t.Scale, 5);
        Assert.Equal(padX, t.PadX);
        Assert.Equal(padY, t.PadY);
        Assert.True(t.ResizedWidth + t.PadX <= inW);
        Assert.True(t.ResizedHeight + t.PadY <= inH);
    }

    [Fact]
    public void ToSource_InvertsToInput_AndClipsBoxes()
    {
        LetterboxTransform t = LetterboxTransform.Compute(768, 576, 640, 640);
        Assert.Equal(100f, t.ToSourceX(t.ToInputX(100f)), 3);
        Assert.Equal(333f, t.ToSourceY(t.ToInputY(333f)), 3);
        BoxF b = t.ToSource(new BoxF(-10, 70, 700, 600));
        Assert.Equal(new BoxF(0, 0, 768, 576), b);
    }

    [Fact]
    public void Stretch_ScalesEachAxis_AndInverts()
    {
        LetterboxTransform t = LetterboxTransform.Stretch(548, 342, 256, 160);
        Assert.True(t.IsAnisotropic);
        Assert.Equal(256f / 548, t.ScaleX, 6);
        Assert.Equal(160f / 342, t.ScaleY, 6);
        Assert.Equal((256, 160), (t.ResizedWidth, t.ResizedHeight));
        Assert.Equal(548f, t.ToSourceX(256), 3);
        Assert.Equal(342f, t.ToSourceY(160), 3);
        Assert.Equal(100f, t.ToInputY(t.ToSourceY(100f)), 3);
        Assert.Equal(new BoxF(0, 0, 548, 342), t.ToSource(new BoxF(0, 0, 256, 160)));

        // A letterbox keeps one scale: ScaleY defaults to Scale.
        LetterboxTransform l = LetterboxTransform.Compute(768, 576, 640, 640);
        Assert.False(l.IsAnisotropic);
        Assert.Equal(l.Scale, l.ScaleY);
    }

    [Fact]
    public void TensorWriter_Stretch_FillsWholeInput_WithPerAxisTransform()
    {
        using var bgr = new Mat(50, 200, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var spec = new InputSpec("images", 64, 32, Letterbox: false);
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, 200, 50), false);
        LetterboxTransform t = writer.Write(bgr, spec, tensor);
        Assert.Equal((0.32f, 0.64f), (t.ScaleX, t.ScaleY));
        Assert.Equal(t, TensorWriter.TransformFor(spec, 200, 50));
        Assert.All(tensor.Floats![..(64 * 32)], v => Assert.Equal(30 / 255f, v, 4));
    }

    [Theory]
    [InlineData(64, 48)]
    [InlineData(159, 160)]
    [InlineData(161, 160)]
    public void TensorWriter_Nchw_PadsWith114_AndPlacesRgbPixels(int w, int h)
    {
        using var bgr = new Mat(h, w, MatType.CV_8UC3, new Scalar(10, 20, 30)); // B=10 G=20 R=30
        var spec = new InputSpec("images", 96, 96);
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, w, h), false);
        LetterboxTransform t = writer.Write(bgr, spec, tensor);
        float[] f = tensor.Floats!;
        int plane = 96 * 96;

        // A pixel in the middle of the image: R, G, B planes in that order, scaled to 0..1.
        int cx = (int)t.ToInputX(w / 2f);
        int cy = (int)t.ToInputY(h / 2f);
        int o = (cy * 96) + cx;
        Assert.Equal(30 / 255f, f[o], 4);
        Assert.Equal(20 / 255f, f[plane + o], 4);
        Assert.Equal(10 / 255f, f[(2 * plane) + o], 4);

        // Padding, where there is any, is grey 114.
        if (t.PadY > 0)
        {
            Assert.Equal(114 / 255f, f[0], 4);
            Assert.Equal(114 / 255f, f[(2 * plane) + (95 * 96) + 95], 4);
        }
        else if (t.PadX > 0)
        {
            Assert.Equal(114 / 255f, f[plane], 4);
        }
    }

    [Fact]
    public void TensorWriter_NhwcInt32_NoScale()
    {
        using var bgr = new Mat(32, 64, MatType.CV_8UC3, new Scalar(1, 2, 3));
        var spec = new InputSpec("input", 64, 32, Letterbox: false, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32);
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, 64, 32), true);
        writer.Write(bgr, spec, tensor);
        Assert.Equal([1L, 32, 64, 3], tensor.Shape);
        Assert.Equal([3, 2, 1], tensor.Ints![..3]);
    }

    [Fact]
    public void TensorWriter_NativeChw_KeepsFrameSize()
    {
        using var bgr = new Mat(5, 7, MatType.CV_8UC3, new Scalar(0, 0, 255));
        var spec = new InputSpec("images", 0, 0, Layout: TensorLayout.Chw);
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(spec, 7, 5), false);
        LetterboxTransform t = writer.Write(bgr, spec, tensor);
        Assert.Equal([3L, 5, 7], tensor.Shape);
        Assert.Equal(1f, t.Scale);
        Assert.All(tensor.Floats![..35], v => Assert.Equal(1f, v));
        Assert.All(tensor.Floats![35..], v => Assert.Equal(0f, v));
    }
}
