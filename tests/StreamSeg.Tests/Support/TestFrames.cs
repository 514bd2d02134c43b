using OpenCvSharp;
using StreamSeg.Frames;

namespace StreamSeg.Tests.Support;

/// <summary>Synthetic frames for overlay and sink tests.</summary>
internal static class TestFrames
{
    /// <summary>A frame filled with one BGR colour.</summary>
    public static Frame Solid(int width, int height, Scalar color) =>
        Frame.CreateUnpooled(new Mat(height, width, MatType.CV_8UC3, color));

    /// <summary>A frame with a deterministic pattern so that every pixel differs from its neighbours.</summary>
    public static Frame Pattern(int width, int height)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                mat.Set(y, x, new Vec3b((byte)(x * 7), (byte)(y * 5), (byte)((x + y) * 3)));
            }
        }

        return Frame.CreateUnpooled(mat);
    }

    /// <summary>Draws frame <paramref name="i"/> of a moving-rectangle clip into <paramref name="frame"/>.</summary>
    public static void MovingRectangle(Frame frame, int i)
    {
        frame.Image.SetTo(new Scalar(40, 40, 40));
        int x = (i * 4) % Math.Max(1, frame.Width - 40);
        Cv2.Rectangle(frame.Image, new Rect(x, frame.Height / 3, 40, 40), new Scalar(0, 200, 255), -1);
        frame.Meta.Index = i;
    }

    /// <summary>Counts pixels that differ in any channel between two images of the same size.</summary>
    public static int CountDifferent(Mat a, Mat b)
    {
        int n = 0;
        int rows = a.Rows;
        int cols = a.Cols;
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                n += a.At<Vec3b>(y, x) != b.At<Vec3b>(y, x) ? 1 : 0;
            }
        }

        return n;
    }

    /// <summary>Counts nonzero channel values of a multi-channel image.</summary>
    public static int NonZero(Mat image)
    {
        using Mat flat = image.Reshape(1);
        return Cv2.CountNonZero(flat);
    }
}
