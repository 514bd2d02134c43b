namespace StreamSeg.Import.Tests;

/// <summary>
/// The C# pixel math the composed graph replaces, for an image already at the model's input size. It mirrors the pixel
/// loop of <c>StreamSeg.Preprocess.TensorWriter.Write</c> (this project does not reference StreamSeg): tensor channel
/// c takes BGR channel <c>rgb ? 2 − c : c</c>; a float input gets <c>px · scale</c>, an int32 input
/// <c>(int)(px · scale)</c> (truncation toward zero), both in float32 arithmetic. The per-channel offset, which
/// TensorWriter does not have, is added after the product.
/// </summary>
internal static class PixelReference
{
    /// <summary>Gets the float tensor for <paramref name="bgr"/> (HWC bytes) in the options' layout.</summary>
    public static float[] Float(byte[] bgr, int width, int height, PixelPreprocessOptions options)
    {
        var result = new float[bgr.Length];
        Fill(bgr, width, height, options, (index, value) => result[index] = value);
        return result;
    }

    /// <summary>Gets the int32 tensor for <paramref name="bgr"/> (HWC bytes) in the options' layout.</summary>
    public static int[] Int32(byte[] bgr, int width, int height, PixelPreprocessOptions options)
    {
        var result = new int[bgr.Length];
        Fill(bgr, width, height, options, (index, value) => result[index] = (int)value);
        return result;
    }

    private static void Fill(byte[] bgr, int width, int height, PixelPreprocessOptions options, Action<int, float> store)
    {
        int plane = width * height;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width) + x;
                for (int c = 0; c < 3; c++)
                {
                    byte px = bgr[(o * 3) + (options.Rgb ? 2 - c : c)];
                    float scale = options.Scale.Count == 1 ? options.Scale[0] : options.Scale[c];
                    float offset = options.Offset.Count == 1 ? options.Offset[0] : options.Offset[c];
                    float v = px * scale;
                    v += offset;
                    store(options.Layout == PixelLayout.Nhwc ? (o * 3) + c : (c * plane) + o, v);
                }
            }
        }
    }
}
