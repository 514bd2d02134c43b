using OpenCvSharp;

namespace StreamSeg.Evaluation.Panoptic;

/// <summary>Decodes a COCO panoptic PNG into segment ids, id = R + 256·G + 65536·B (panopticapi's <c>rgb2id</c>).</summary>
public static class PanopticPngReader
{
    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="ids"/> (row-major), renting a larger array from
    /// <paramref name="pool"/> when the one given is too small; returns the width and height.
    /// </summary>
    /// <param name="path">An 8-bit RGB or RGBA PNG (alpha is ignored, as panopticapi ignores it).</param>
    /// <param name="ids">The buffer to fill; replaced by a rented one (and the old one returned) when too small.</param>
    /// <param name="pool">The pool buffers come from.</param>
    /// <exception cref="InvalidDataException">The file cannot be read or is not 8-bit colour.</exception>
    public static (int Width, int Height) Read(string path, ref int[] ids, System.Buffers.ArrayPool<int> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        using Mat image = Cv2.ImRead(path, ImreadModes.Unchanged);
        if (image.Empty())
        {
            throw new InvalidDataException($"Cannot read the panoptic PNG '{path}'.");
        }

        int channels = image.Channels();
        if (image.Depth() != MatType.CV_8U || channels is not (3 or 4))
        {
            throw new InvalidDataException($"'{path}' is not an 8-bit RGB PNG (type {image.Type()}): panoptic segment ids are coded as R + 256·G + 65536·B.");
        }

        int width = image.Width, height = image.Height;
        if (ids.Length < width * height)
        {
            if (ids.Length > 0)
            {
                pool.Return(ids);
            }

            ids = pool.Rent(width * height);
        }

        Decode(image, ids, channels);
        return (width, height);
    }

    // OpenCV stores the pixels as B, G, R(, A).
    private static unsafe void Decode(Mat image, int[] ids, int channels)
    {
        int width = image.Width, height = image.Height;
        for (int y = 0; y < height; y++)
        {
            byte* row = (byte*)image.Ptr(y);
            int o = y * width;
            for (int x = 0; x < width; x++, row += channels)
            {
                ids[o + x] = row[2] + (row[1] << 8) + (row[0] << 16);
            }
        }
    }
}
