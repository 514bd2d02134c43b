using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class MaskRcnnAdapterTests
{
    [Fact]
    public void Input_IsNativeSizeChwRgbZeroToOne()
    {
        var adapter = new MaskRcnnAdapter(TestSignatures.MaskRcnn(), AdapterOptions.Default);
        Assert.Equal(new InputSpec("images_tensors", 0, 0, Letterbox: false, PadValue: 0, Scale: 1f / 255f, Layout: TensorLayout.Chw), adapter.Input);
        Assert.True(adapter.Input.NativeSize);
        Assert.Equal(91, adapter.ClassNames.Count);
        Assert.Equal("person", adapter.ClassNames[1]);
        Assert.Equal("N/A", adapter.ClassNames[12]);
        Assert.Equal("toothbrush", adapter.ClassNames[90]);
    }

    [Fact]
    public void Decode_ThresholdsScoresAndCropsMaskToBox()
    {
        // 8×6 frame; instance 0 keeps (score 0.9), instance 1 is dropped (0.3 < 0.5).
        const int W = 8;
        const int H = 6;
        var masks = new float[2 * H * W];
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                masks[(y * W) + x] = x == 3 ? 0.5f : (x + y) % 2 == 0 ? 0.9f : 0.1f;
                masks[(H * W) + (y * W) + x] = 1f;
            }
        }

        RawTensor[] outputs =
        [
            new("boxes", [2, 4], new float[] { 1.5f, 1.2f, 5.5f, 4.8f, 0, 0, 8, 6 }),
            new("labels", [2], new float[] { 18, 3 }),
            new("scores", [2], new float[] { 0.9f, 0.3f }),
            new("masks", [2, 1, H, W], masks),
        ];
        Instances result = new MaskRcnnAdapter(TestSignatures.MaskRcnn(), AdapterOptions.Default).Decode(outputs, LetterboxTransform.Identity(W, H));

        Assert.Equal(1, result.Count);
        Assert.Equal(new BoxF(1.5f, 1.2f, 5.5f, 4.8f), result.Boxes[0]);
        Assert.Equal(18, result.ClassIds[0]);
        Assert.Equal("dog", result.ClassName(18));
        InstanceMask mask = result.Masks![0]!;
        Assert.Equal((1, 1, 5, 4), (mask.X, mask.Y, mask.Width, mask.Height));
        for (int y = 1; y < 5; y++)
        {
            for (int x = 1; x < 6; x++)
            {
                bool expected = x == 3 || (x + y) % 2 == 0; // 0.5 counts as inside (≥ threshold)
                Assert.Equal(expected, mask.Contains(x, y));
            }
        }

        Assert.False(mask.Contains(0, 0));
    }

    [Fact]
    public void Decode_ConfidenceOverride_KeepsLowScores()
    {
        RawTensor[] outputs =
        [
            new("boxes", [1, 4], new float[] { 0, 0, 2, 2 }),
            new("labels", [1], new float[] { 1 }),
            new("scores", [1], new float[] { 0.3f }),
            new("masks", [1, 1, 2, 2], new float[] { 1, 1, 1, 1 }),
        ];
        var adapter = new MaskRcnnAdapter(TestSignatures.MaskRcnn(), new AdapterOptions { ConfidenceThreshold = 0.2f });
        Assert.Equal(1, adapter.Decode(outputs, LetterboxTransform.Identity(2, 2)).Count);
    }

    [Fact]
    public void Decode_ZeroDetections_ReturnsEmpty()
    {
        RawTensor[] outputs =
        [
            new("boxes", [0, 4], Array.Empty<float>()),
            new("labels", [0], Array.Empty<float>()),
            new("scores", [0], Array.Empty<float>()),
            new("masks", [0, 1, 6, 8], Array.Empty<float>()),
        ];
        var adapter = new MaskRcnnAdapter(TestSignatures.MaskRcnn(), AdapterOptions.Default);
        Assert.Equal(0, adapter.Decode(outputs, LetterboxTransform.Identity(8, 6)).Count);
    }
}
