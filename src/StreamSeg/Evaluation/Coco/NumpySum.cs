namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// numpy's pairwise summation of a contiguous float64 array (<c>DOUBLE_pairwise_sum</c>): the summation order of
/// <c>numpy.sum</c> and <c>numpy.mean</c>, so that means come out to the same last bit as pycocotools'.
/// </summary>
internal static class NumpySum
{
    private const int BlockSize = 128;

    /// <summary>The sum of <paramref name="a"/> in numpy's order.</summary>
    public static double Sum(ReadOnlySpan<double> a)
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

        if (n <= BlockSize)
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
        return Sum(a[..n2]) + Sum(a[n2..]);
    }

    /// <summary>The mean of <paramref name="a"/> as <c>numpy.mean</c>: the pairwise sum divided by the count.</summary>
    public static double Mean(ReadOnlySpan<double> a) => Sum(a) / a.Length;
}
