using System.Runtime.InteropServices;
using OpenCvSharp;

namespace StreamSeg.Import.Tests;

/// <summary>Real pixels for preprocessing tests: vtest.avi's first frame, cropped or resized (the RVM oracle input, 768×576).</summary>
internal static class TestImages
{
    private const int FrameWidth = 768;
    private const int FrameHeight = 576;

    /// <summary>Gets the <paramref name="width"/>×<paramref name="height"/> centre crop of the frame as contiguous BGR HWC bytes.</summary>
    public static byte[] Crop(int width, int height)
    {
        using Mat frame = ReadFrame();
        using var roi = new Mat(frame, new Rect((FrameWidth - width) / 2, (FrameHeight - height) / 2, width, height));
        using Mat crop = roi.Clone();
        return Bytes(crop);
    }

    /// <summary>Gets the whole frame resized (OpenCV bilinear, as the CPU letterbox does) to <paramref name="width"/>×<paramref name="height"/>, as contiguous BGR HWC bytes.</summary>
    public static byte[] Resized(int width, int height)
    {
        using Mat frame = ReadFrame();
        using Mat resized = frame.Resize(new Size(width, height), 0, 0, InterpolationFlags.Linear);
        return Bytes(resized);
    }

    private static Mat ReadFrame()
    {
        Mat frame = Cv2.ImRead(Path.Combine(OracleReference.DataDirectory("rvm"), "seq.vtest_f000.input.png"), ImreadModes.Color);
        Assert.Equal((FrameWidth, FrameHeight), (frame.Width, frame.Height));
        return frame;
    }

    private static byte[] Bytes(Mat image)
    {
        Assert.True(image.IsContinuous());
        var bytes = new byte[image.Width * image.Height * 3];
        Marshal.Copy(image.Data, bytes, 0, bytes.Length);
        return bytes;
    }
}
