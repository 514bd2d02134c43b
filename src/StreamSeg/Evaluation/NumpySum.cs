namespace StreamSeg.Evaluation;

/// <summary>
/// Sums in the order numpy's add-reduction uses on a contiguous float64 array (pairwise with blocks of 128 and eight
/// partial sums), so that means over arrays reproduce the reference tools' doubles to the last bit.
/// </summary>
public static class NumpySum
{
    /// <summary>Returns numpy's <c>sum</c> of <paramref name="values"/>.</summary>
    public static double Pairwise(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += values[i];
            }

            return res;
        }

        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            values[..8].CopyTo(r);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += values[i + j];
                }
            }

            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += values[i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return Pairwise(values[..n2]) + Pairwise(values[n2..]);
    }
}
