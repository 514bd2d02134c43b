namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// The summation order of <c>numpy.sum</c> and <c>numpy.mean</c> on a contiguous float64 array, so that means come out
/// to the same last bit as pycocotools': the reduction walks the array in chunks of the ufunc buffer size (8192
/// elements), adding each chunk's pairwise sum (<c>DOUBLE_pairwise_sum</c>) to a running total that starts at 0.
/// </summary>
internal static class NumpySum
{
    private const int PairwiseBlock = 128;

    /// <summary>numpy's default ufunc buffer size (<c>NPY_BUFSIZE</c>): a reduction sees the array in chunks of this many elements.</summary>
    private const int BufferSize = 8192;

    /// <summary>The sum of <paramref name="a"/> in numpy's order.</summary>
    public static double Sum(ReadOnlySpan<double> a)
    {
        double total = 0;
        for (int start = 0; start < a.Length; start += BufferSize)
        {
            total += Pairwise(a.Slice(start, Math.Min(BufferSize, a.Length - start)));
        }

        return total;
    }

    /// <summary>The mean of <paramref name="a"/> as <c>numpy.mean</c>: the sum divided by the count.</summary>
    public static double Mean(ReadOnlySpan<double> a) => Sum(a) / a.Length;

    private static double Pairwise(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                sum += a[i];
            }

            return sum;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return Pairwise(a[..n2]) + Pairwise(a[n2..]);
    }
}
