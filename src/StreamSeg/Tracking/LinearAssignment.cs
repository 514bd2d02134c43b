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
/// The solver is the shortest-augmenting-path Hungarian method (O(n²·m) for n ≤ m, <see cref="HungarianMethod"/>) on
/// the costs min(cost − threshold, 0). It is deterministic: the same input always gives the same matching, ties included.
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

        HungarianMethod.Assign(costs, rows, columns, limited: true, threshold, rowToColumn);
        int matched = 0;
        for (int r = 0; r < rows; r++)
        {
            int c = rowToColumn[r];
            if (c < 0)
            {
                continue;
            }

            // Pairs above the limit (or NaN) carry an adjusted cost of 0: assigning them is the same as leaving both
            // sides unmatched, so they are dropped here.
            if (costs[(r * columns) + c] <= threshold)
            {
                columnToRow[c] = r;
                matched++;
            }
            else
            {
                rowToColumn[r] = -1;
            }
        }

        return matched;
    }
}
