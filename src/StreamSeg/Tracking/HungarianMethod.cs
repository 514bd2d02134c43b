using System.Buffers;

namespace StreamSeg.Tracking;

/// <summary>
/// The shortest-augmenting-path Hungarian method with potentials (O(n²·m) for n ≤ m), shared by the tracker's
/// <see cref="LinearAssignment"/> (costs shifted by a cost limit, as ByteTrack's lapjv call) and the evaluators'
/// <see cref="StreamSeg.Evaluation.RectangularAssignment"/> (the costs as given, as scipy's linear_sum_assignment).
/// </summary>
/// <remarks>
/// Both callers are held to reference outputs to the last bit, so the arithmetic is the same for both: per pair,
/// <c>cost − u[row] − v[column]</c> in double precision, with the cost either the matrix entry or, under a limit,
/// <c>entry − limit</c> for entries at or below it and exactly 0 otherwise (NaN included). Scratch memory comes from
/// <see cref="ArrayPool{T}.Shared"/>, so a call allocates nothing once the pool is warm.
/// </remarks>
internal static class HungarianMethod
{
    /// <summary>
    /// Forms min(<paramref name="rows"/>, <paramref name="columns"/>) pairs of the row-major matrix at the least total
    /// working cost (see the remarks) and writes each row's column, or -1 for a row left over, into
    /// <paramref name="rowToColumn"/>. The caller has checked the sizes.
    /// </summary>
    /// <param name="costs">The costs, row-major, rows × columns.</param>
    /// <param name="rows">The number of rows (at least 1).</param>
    /// <param name="columns">The number of columns (at least 1).</param>
    /// <param name="limited">Whether the costs are shifted by <paramref name="limit"/>.</param>
    /// <param name="limit">The cost limit, when <paramref name="limited"/>.</param>
    /// <param name="rowToColumn">Receives each row's column or -1; at least <paramref name="rows"/> long.</param>
    /// <exception cref="ArgumentException">No augmenting path exists (a cost that is not finite, without a limit).</exception>
    public static void Assign(ReadOnlySpan<double> costs, int rows, int columns, bool limited, double limit, Span<int> rowToColumn)
    {
        rowToColumn[..rows].Fill(-1);

        // The method needs n ≤ m, so it works on the transpose when there are more rows than columns.
        bool transposed = rows > columns;
        int n = transposed ? columns : rows;
        int m = transposed ? rows : columns;
        double[] u = ArrayPool<double>.Shared.Rent(n + 1);
        double[] v = ArrayPool<double>.Shared.Rent(m + 1);
        double[] minv = ArrayPool<double>.Shared.Rent(m + 1);
        int[] p = ArrayPool<int>.Shared.Rent(m + 1);
        int[] way = ArrayPool<int>.Shared.Rent(m + 1);
        bool[] used = ArrayPool<bool>.Shared.Rent(m + 1);
        try
        {
            Array.Clear(u, 0, n + 1);
            Array.Clear(v, 0, m + 1);
            Array.Clear(p, 0, m + 1);
            Array.Clear(way, 0, m + 1);

            // 1-based potentials u (rows), v (columns); p[j] is the row assigned to column j, 0 for none.
            for (int i = 1; i <= n; i++)
            {
                p[0] = i;
                int j0 = 0;
                Array.Fill(minv, double.PositiveInfinity, 0, m + 1);
                Array.Clear(used, 0, m + 1);
                do
                {
                    used[j0] = true;
                    int i0 = p[j0];
                    double delta = double.PositiveInfinity;
                    int j1 = 0;
                    for (int j = 1; j <= m; j++)
                    {
                        if (used[j])
                        {
                            continue;
                        }

                        double c = transposed ? costs[((j - 1) * columns) + i0 - 1] : costs[((i0 - 1) * columns) + j - 1];
                        if (limited)
                        {
                            // Every allowed pair ≤ 0, every forbidden one exactly 0.
                            c = c <= limit ? c - limit : 0.0;
                        }

                        double cur = c - u[i0] - v[j];
                        if (cur < minv[j])
                        {
                            minv[j] = cur;
                            way[j] = j0;
                        }

                        if (minv[j] < delta)
                        {
                            delta = minv[j];
                            j1 = j;
                        }
                    }

                    if (j1 == 0)
                    {
                        throw new ArgumentException("The costs must be finite.", nameof(costs));
                    }

                    for (int j = 0; j <= m; j++)
                    {
                        if (used[j])
                        {
                            u[p[j]] += delta;
                            v[j] -= delta;
                        }
                        else
                        {
                            minv[j] -= delta;
                        }
                    }

                    j0 = j1;
                }
                while (p[j0] != 0);

                do
                {
                    int j1 = way[j0];
                    p[j0] = p[j1];
                    j0 = j1;
                }
                while (j0 != 0);
            }

            for (int j = 1; j <= m; j++)
            {
                if (p[j] != 0)
                {
                    if (transposed)
                    {
                        rowToColumn[j - 1] = p[j] - 1;
                    }
                    else
                    {
                        rowToColumn[p[j] - 1] = j - 1;
                    }
                }
            }
        }
        finally
        {
            // Returned even when the method throws.
            ArrayPool<double>.Shared.Return(u);
            ArrayPool<double>.Shared.Return(v);
            ArrayPool<double>.Shared.Return(minv);
            ArrayPool<int>.Shared.Return(p);
            ArrayPool<int>.Shared.Return(way);
            ArrayPool<bool>.Shared.Return(used);
        }
    }
}
