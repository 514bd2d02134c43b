using System.Buffers;

namespace StreamSeg.Tracking;

/// <summary>
/// Solves the rectangular linear assignment problem with a cost limit, the way ByteTrack calls
/// <c>lap.lapjv(cost, extend_cost=True, cost_limit=threshold)</c>.
/// </summary>
/// <remarks>
/// <para>
/// The result is the partial matching that minimises Σ (cost − threshold) over its pairs. Only pairs whose cost is at
/// most the threshold are ever matched, and every such pair is matched whenever that lowers the total; rows and columns
/// left over are unmatched. NaN and +∞ costs are never matched. This is exactly the optimum of lapjv's extended
/// problem, where leaving a row and a column unmatched costs threshold/2 each.
/// </para>
/// <para>
/// The solver is the shortest-augmenting-path Hungarian method (O(n²·m) for n ≤ m) on the costs
/// min(cost − threshold, 0). It is deterministic: the same input always gives the same matching, ties included.
/// Scratch memory comes from <see cref="ArrayPool{T}.Shared"/>, so a call allocates nothing once the pool is warm.
/// </para>
/// </remarks>
public static class LinearAssignment
{
    /// <summary>
    /// Matches the rows and columns of the row-major <paramref name="rows"/>×<paramref name="columns"/> matrix
    /// <paramref name="costs"/>, and returns the number of matched pairs.
    /// </summary>
    /// <param name="costs">The costs, row-major; pairs with a cost above <paramref name="threshold"/>, NaN or +∞ are never matched.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="threshold">The largest cost a matched pair may have; must be finite.</param>
    /// <param name="rowToColumn">Receives, for each row, its matched column or -1; at least <paramref name="rows"/> long.</param>
    /// <param name="columnToRow">Receives, for each column, its matched row or -1; at least <paramref name="columns"/> long.</param>
    public static int Solve(ReadOnlySpan<float> costs, int rows, int columns, float threshold, Span<int> rowToColumn, Span<int> columnToRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (costs.Length != rows * columns)
        {
            throw new ArgumentException($"The cost matrix has {costs.Length} entries; expected {rows}×{columns} = {rows * columns}.", nameof(costs));
        }

        if (!float.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite.");
        }

        double[] wide = ArrayPool<double>.Shared.Rent(costs.Length);
        try
        {
            for (int i = 0; i < costs.Length; i++)
            {
                wide[i] = costs[i];
            }

            return Solve(wide.AsSpan(0, costs.Length), rows, columns, (double)threshold, rowToColumn, columnToRow);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(wide);
        }
    }

    /// <summary>
    /// Matches the rows and columns of the row-major <paramref name="rows"/>×<paramref name="columns"/> matrix
    /// <paramref name="costs"/> in double precision (as ByteTrack's float64 costs), and returns the number of matched pairs.
    /// </summary>
    /// <param name="costs">The costs, row-major; pairs with a cost above <paramref name="threshold"/>, NaN or +∞ are never matched.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="threshold">The largest cost a matched pair may have; must be finite.</param>
    /// <param name="rowToColumn">Receives, for each row, its matched column or -1; at least <paramref name="rows"/> long.</param>
    /// <param name="columnToRow">Receives, for each column, its matched row or -1; at least <paramref name="columns"/> long.</param>
    public static int Solve(ReadOnlySpan<double> costs, int rows, int columns, double threshold, Span<int> rowToColumn, Span<int> columnToRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (costs.Length != rows * columns)
        {
            throw new ArgumentException($"The cost matrix has {costs.Length} entries; expected {rows}×{columns} = {rows * columns}.", nameof(costs));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rowToColumn.Length, rows, nameof(rowToColumn));
        ArgumentOutOfRangeException.ThrowIfLessThan(columnToRow.Length, columns, nameof(columnToRow));
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite.");
        }

        rowToColumn[..rows].Fill(-1);
        columnToRow[..columns].Fill(-1);
        if (rows == 0 || columns == 0)
        {
            return 0;
        }

        // The Hungarian method below needs n ≤ m, so work on the transpose when there are more rows than columns.
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

                        double cur = Adjusted(costs, columns, threshold, transposed, i0 - 1, j - 1) - u[i0] - v[j];
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

            int matched = 0;
            for (int j = 1; j <= m; j++)
            {
                if (p[j] == 0)
                {
                    continue;
                }

                int r = transposed ? j - 1 : p[j] - 1;
                int c = transposed ? p[j] - 1 : j - 1;

                // Pairs above the limit (or NaN) carry an adjusted cost of 0: assigning them is the same as leaving
                // both sides unmatched, so they are dropped here.
                if (costs[(r * columns) + c] <= threshold)
                {
                    rowToColumn[r] = c;
                    columnToRow[c] = r;
                    matched++;
                }
            }

            return matched;
        }
        finally
        {
            // Return the scratch even if a bad span length made the solver throw.
            ArrayPool<double>.Shared.Return(u);
            ArrayPool<double>.Shared.Return(v);
            ArrayPool<double>.Shared.Return(minv);
            ArrayPool<int>.Shared.Return(p);
            ArrayPool<int>.Shared.Return(way);
            ArrayPool<bool>.Shared.Return(used);
        }
    }

    // The cost of (row i, column j) of the n×m working matrix, shifted so that every allowed pair is ≤ 0 and every
    // forbidden pair is exactly 0.
    private static double Adjusted(ReadOnlySpan<double> costs, int columns, double threshold, bool transposed, int i, int j)
    {
        double c = transposed ? costs[(j * columns) + i] : costs[(i * columns) + j];
        return c <= threshold ? c - threshold : 0.0;
    }
}
