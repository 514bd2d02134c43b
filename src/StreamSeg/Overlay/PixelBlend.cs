using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Decode;

namespace StreamSeg.Overlay;

/// <summary>
/// Alpha blending straight into a BGR <see cref="Mat"/>, clipped to the image, without temporary images. Shared by
/// the overlays so that translucent drawing costs no native allocation per frame.
/// </summary>
internal static unsafe class PixelBlend
{
    /// <summary>Converts an opacity in 0..1 to the fixed-point weight used here (0..256).</summary>
    public static int Weight(float alpha) => (int)MathF.Round(Math.Clamp(alpha, 0f, 1f) * 256f);

    /// <summary>Throws when <paramref name="image"/> is not 8-bit BGR.</summary>
    public static void CheckBgr(Mat image)
    {
        if (image.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"Overlays draw on 8-bit BGR images (CV_8UC3); got {image.Type()}.", nameof(image));
        }
    }

    /// <summary>Blends <paramref name="color"/> over the mask's pixels; contour pixels (4-neighbourhood edge) are painted opaque when asked.</summary>
    public static void BlendMask(Mat image, InstanceMask mask, Scalar color, int weight, bool contour)
    {
        int x0 = Math.Max(0, mask.X);
        int y0 = Math.Max(0, mask.Y);
        int x1 = Math.Min(image.Width, mask.X + mask.Width);
        int y1 = Math.Min(image.Height, mask.Y + mask.Height);
        if (x0 >= x1 || y0 >= y1)
        {
            return;
        }

        byte b = (byte)color.Val0, g = (byte)color.Val1, r = (byte)color.Val2;
        int keep = 256 - weight;
        int cb = b * weight, cg = g * weight, cr = r * weight;
        byte* basePtr = (byte*)image.Data;
        long step = image.Step();
        ReadOnlySpan<byte> data = mask.Data;
        int mw = mask.Width;
        int mh = mask.Height;
        for (int y = y0; y < y1; y++)
        {
            int my = y - mask.Y;
            int rowStart = my * mw;
            byte* row = basePtr + (y * step);
            for (int x = x0; x < x1; x++)
            {
                int mx = x - mask.X;
                if (data[rowStart + mx] == 0)
                {
                    continue;
                }

                byte* p = row + (x * 3);
                bool edge = contour
                    && (mx == 0 || data[rowStart + mx - 1] == 0
                        || mx == mw - 1 || data[rowStart + mx + 1] == 0
                        || my == 0 || data[rowStart - mw + mx] == 0
                        || my == mh - 1 || data[rowStart + mw + mx] == 0);
                if (edge)
                {
                    p[0] = b;
                    p[1] = g;
                    p[2] = r;
                }
                else
                {
                    p[0] = (byte)(((p[0] * keep) + cb) >> 8);
                    p[1] = (byte)(((p[1] * keep) + cg) >> 8);
                    p[2] = (byte)(((p[2] * keep) + cr) >> 8);
                }
            }
        }
    }

    /// <summary>Blends <paramref name="color"/> over a rectangle (clipped to the image).</summary>
    public static void BlendRect(Mat image, Rect rect, Scalar color, int weight)
    {
        int x0 = Math.Max(0, rect.X);
        int y0 = Math.Max(0, rect.Y);
        int x1 = Math.Min(image.Width, rect.X + rect.Width);
        int y1 = Math.Min(image.Height, rect.Y + rect.Height);
        int keep = 256 - weight;
        int cb = (int)color.Val0 * weight, cg = (int)color.Val1 * weight, cr = (int)color.Val2 * weight;
        byte* basePtr = (byte*)image.Data;
        long step = image.Step();
        for (int y = y0; y < y1; y++)
        {
            byte* p = basePtr + (y * step) + (x0 * 3);
            for (int x = x0; x < x1; x++, p += 3)
            {
                p[0] = (byte)(((p[0] * keep) + cb) >> 8);
                p[1] = (byte)(((p[1] * keep) + cg) >> 8);
                p[2] = (byte)(((p[2] * keep) + cr) >> 8);
            }
        }
    }

    /// <summary>Blends a filled disc of <paramref name="radius"/> pixels centred on (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public static void BlendDisc(Mat image, int cx, int cy, int radius, Scalar color, int weight)
    {
        Debug.Assert(radius >= 0, "radius must not be negative");
        int x0 = Math.Max(0, cx - radius);
        int y0 = Math.Max(0, cy - radius);
        int x1 = Math.Min(image.Width - 1, cx + radius);
        int y1 = Math.Min(image.Height - 1, cy + radius);
        int r2 = (radius * radius) + radius; // the +radius rounds the rim like cv::circle does
        int keep = 256 - weight;
        int cb = (int)color.Val0 * weight, cg = (int)color.Val1 * weight, cr = (int)color.Val2 * weight;
        byte* basePtr = (byte*)image.Data;
        long step = image.Step();
        for (int y = y0; y <= y1; y++)
        {
            int dy = y - cy;
            byte* row = basePtr + (y * step);
            for (int x = x0; x <= x1; x++)
            {
                int dx = x - cx;
                if ((dx * dx) + (dy * dy) > r2)
                {
                    continue;
                }

                byte* p = row + (x * 3);
                p[0] = (byte)(((p[0] * keep) + cb) >> 8);
                p[1] = (byte)(((p[1] * keep) + cg) >> 8);
                p[2] = (byte)(((p[2] * keep) + cr) >> 8);
            }
        }
    }
}
