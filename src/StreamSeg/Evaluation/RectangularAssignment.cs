using System.Buffers;
using StreamSeg.Tracking;

namespace StreamSeg.Evaluation;

/// <summary>
/// Solves the rectangular linear assignment problem exactly in double precision: every row of the smaller side gets
/// a distinct column of the other, minimising the total cost — what <c>scipy.optimize.linear_sum_assignment</c>
/// returns and what the evaluation tools (TrackEval, py-motmetrics) build their matchings on.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="StreamSeg.Tracking.LinearAssignment"/> solves a different problem (a partial matching below a cost
/// limit, as ByteTrack's lapjv call does). Evaluation needs the full assignment of <c>min(rows, columns)</c> pairs on the
/// double costs as given, because TrackEval compares scores such as <c>1000 + IoU</c> and HOTA's alignment-weighted
/// IoU to the last bit; both run the same <see cref="HungarianMethod"/>, this one without a limit.
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

        HungarianMethod.Assign(costs, rows, columns, limited: false, 0, rowToColumn);
        return Math.Min(rows, columns);
    }

    /// <summary>
    /// Solves the same problem as <see cref="Minimize"/> one connected component at a time, where two sides are
    /// connected by a <paramref name="candidate"/> pair; rows in no component with a candidate get -1.
    /// </summary>
    /// <remarks>
    /// For the evaluators' problems (maximise a score that is 0 off the candidates, or maximise the number of candidate
    /// pairs and then minimise their cost) the optimum decomposes over these components, and the pairs dropped are
    /// exactly the non-candidate ones the callers drop anyway. In a tracking frame most components are one box and
    /// one track, so this turns a dense O(n³) solve per frame into a few tiny ones.
    /// </remarks>
    /// <param name="costs">The finite costs, row-major.</param>
    /// <param name="candidate">Row-major: whether a pair can be a match at all.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="rowToColumn">Receives each row's column or -1; at least <paramref name="rows"/> long.</param>
    public static void MinimizeByComponents(ReadOnlySpan<double> costs, ReadOnlySpan<bool> candidate, int rows, int columns, Span<int> rowToColumn)
    {
        if (costs.Length != rows * columns || candidate.Length != rows * columns)
        {
            throw new ArgumentException($"The cost and candidate matrices must have {rows}×{columns} entries.", nameof(costs));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rowToColumn.Length, rows, nameof(rowToColumn));
        rowToColumn[..rows].Fill(-1);
        int nodes = rows + columns;
        int[] parent = ArrayPool<int>.Shared.Rent(nodes);
        int[] compRows = ArrayPool<int>.Shared.Rent(rows);
        int[] compCols = ArrayPool<int>.Shared.Rent(columns);
        bool[] done = ArrayPool<bool>.Shared.Rent(rows);
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                parent[i] = i;
            }

            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    if (candidate[(r * columns) + c])
                    {
                        int a = Find(parent, r), b = Find(parent, rows + c);
                        if (a != b)
                        {
                            parent[Math.Max(a, b)] = Math.Min(a, b);
                        }
                    }
                }
            }

            Array.Clear(done, 0, rows);
            for (int r0 = 0; r0 < rows; r0++)
            {
                if (done[r0])
                {
                    continue;
                }

                int root = Find(parent, r0);
                int nr = 0, nc = 0;
                for (int r = r0; r < rows; r++)
                {
                    if (!done[r] && Find(parent, r) == root)
                    {
                        done[r] = true;
                        compRows[nr++] = r;
                    }
                }

                for (int c = 0; c < columns; c++)
                {
                    if (Find(parent, rows + c) == root)
                    {
                        compCols[nc++] = c;
                    }
                }

                if (nc == 0)
                {
                    continue; // a row with no candidate at all stays unmatched
                }

                if (nr == 1 && nc == 1)
                {
                    rowToColumn[compRows[0]] = compCols[0];
                    continue;
                }

                double[] sub = ArrayPool<double>.Shared.Rent(nr * nc);
                int[] subRowToColumn = ArrayPool<int>.Shared.Rent(nr);
                try
                {
                    for (int i = 0; i < nr; i++)
                    {
                        for (int j = 0; j < nc; j++)
                        {
                            sub[(i * nc) + j] = costs[(compRows[i] * columns) + compCols[j]];
                        }
                    }

                    Minimize(sub.AsSpan(0, nr * nc), nr, nc, subRowToColumn);
                    for (int i = 0; i < nr; i++)
                    {
                        rowToColumn[compRows[i]] = subRowToColumn[i] < 0 ? -1 : compCols[subRowToColumn[i]];
                    }
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(sub);
                    ArrayPool<int>.Shared.Return(subRowToColumn);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(parent);
            ArrayPool<int>.Shared.Return(compRows);
            ArrayPool<int>.Shared.Return(compCols);
            ArrayPool<bool>.Shared.Return(done);
        }
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }
}
