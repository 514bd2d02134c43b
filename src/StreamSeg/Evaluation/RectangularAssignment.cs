using System.Buffers;

namespace StreamSeg.Evaluation;

/// <summary>
/// Solves the rectangular linear assignment problem exactly in double precision: every row of the smaller side gets
/// a distinct column of the other, minimising the total cost — what <c>scipy.optimize.linear_sum_assignment</c>
/// returns and what the evaluation tools (TrackEval, py-motmetrics) build their matchings on.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="StreamSeg.Tracking.LinearAssignment"/> solves a different problem (a partial matching below a cost
/// limit, in single precision, as ByteTrack's lapjv call does). Evaluation needs the full assignment of
/// <c>min(rows, columns)</c> pairs on double costs, because TrackEval compares scores such as <c>1000 + IoU</c> and
/// HOTA's alignment-weighted IoU to the last bit, so it has its own solver.
/// </para>
/// <para>
/// The method is the shortest-augmenting-path Hungarian algorithm with potentials (O(n²·m), n ≤ m). Costs must be
/// finite; callers that forbid pairs either give them a prohibitive cost (py-motmetrics' <c>add_expensive_edges</c>)
/// or a zero score and drop them afterwards (TrackEval). On ties it may pick a different optimum than scipy; the
/// totals are equal.
/// </para>
/// </remarks>
public static class RectangularAssignment
{
    /// <summary>
    /// Assigns the rows and columns of the row-major <paramref name="rows"/>×<paramref name="columns"/>
    /// <paramref name="costs"/> so that min(rows, columns) pairs are formed at the least total cost.
    /// </summary>
    /// <param name="costs">The finite costs, row-major.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="rowToColumn">Receives each row's column, or -1 when the row is left over; at least <paramref name="rows"/> long.</param>
    /// <returns>The number of pairs, min(rows, columns).</returns>
    public static int Minimize(ReadOnlySpan<double> costs, int rows, int columns, Span<int> rowToColumn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (costs.Length != rows * columns)
        {
            throw new ArgumentException($"The cost matrix has {costs.Length} entries; expected {rows}×{columns}.", nameof(costs));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rowToColumn.Length, rows, nameof(rowToColumn));
        rowToColumn[..rows].Fill(-1);
        if (rows == 0 || columns == 0)
        {
            return 0;
        }

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

            return n;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(u);
            ArrayPool<double>.Shared.Return(v);
            ArrayPool<double>.Shared.Return(minv);
            ArrayPool<int>.Shared.Return(p);
            ArrayPool<int>.Shared.Return(way);
            ArrayPool<bool>.Shared.Return(used);
        }
    }
}
