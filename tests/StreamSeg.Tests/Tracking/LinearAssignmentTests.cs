using StreamSeg.Tracking;

namespace StreamSeg.Tests.Tracking;

public class LinearAssignmentTests
{
    [Fact]
    public void Solve_SquareMatrix_FindsMinimumCostPermutation()
    {
        // The greedy choice (row 0 → column 0, cost 0.1) forces row 1 onto column 1 (0.9); the optimum swaps them.
        float[] costs =
        [
            0.1f, 0.2f,
            0.15f, 0.9f,
        ];
        int[] rowToColumn = new int[2];
        int[] columnToRow = new int[2];

        int matched = LinearAssignment.Solve(costs, 2, 2, 1f, rowToColumn, columnToRow);

        Assert.Equal(2, matched);
        Assert.Equal([1, 0], rowToColumn);
        Assert.Equal([1, 0], columnToRow);
    }

    [Fact]
    public void Solve_CostAboveThreshold_LeavesPairUnmatched()
    {
        float[] costs =
        [
            0.3f, 0.95f,
            0.9f, 0.85f,
        ];
        int[] rowToColumn = new int[2];
        int[] columnToRow = new int[2];

        int matched = LinearAssignment.Solve(costs, 2, 2, 0.8f, rowToColumn, columnToRow);

        Assert.Equal(1, matched);
        Assert.Equal([0, -1], rowToColumn);
        Assert.Equal([0, -1], columnToRow);
    }

    [Fact]
    public void Solve_ThresholdMakesSplittingWorthIt_MatchesOnlyCheapPairs()
    {
        // Without a limit the optimum is the anti-diagonal (0.5 + 0.5 = 1.0). With a limit of 0.6 each matched pair
        // gains (0.6 - cost): the anti-diagonal gains 0.2, the single cheap pair (0, 0) gains 0.5 and wins.
        float[] costs =
        [
            0.1f, 0.5f,
            0.5f, 2.0f,
        ];
        int[] rowToColumn = new int[2];
        int[] columnToRow = new int[2];

        int matched = LinearAssignment.Solve(costs, 2, 2, 0.6f, rowToColumn, columnToRow);

        Assert.Equal(1, matched);
        Assert.Equal([0, -1], rowToColumn);
    }

    [Fact]
    public void Solve_NaNAndInfinity_NeverMatched()
    {
        float[] costs = [float.NaN, float.PositiveInfinity, 0.2f];
        int[] rowToColumn = new int[3];
        int[] columnToRow = new int[1];

        int matched = LinearAssignment.Solve(costs, 3, 1, 10f, rowToColumn, columnToRow);

        Assert.Equal(1, matched);
        Assert.Equal([-1, -1, 0], rowToColumn);
        Assert.Equal([2], columnToRow);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 3)]
    [InlineData(4, 0)]
    public void Solve_EmptyMatrix_ReturnsNoMatches(int rows, int columns)
    {
        int[] rowToColumn = [7, 7, 7, 7];
        int[] columnToRow = [7, 7, 7];

        int matched = LinearAssignment.Solve(ReadOnlySpan<float>.Empty, rows, columns, 0.5f, rowToColumn, columnToRow);

        Assert.Equal(0, matched);
        Assert.All(rowToColumn.AsSpan(0, rows).ToArray(), v => Assert.Equal(-1, v));
        Assert.All(columnToRow.AsSpan(0, columns).ToArray(), v => Assert.Equal(-1, v));
    }

    [Fact]
    public void Solve_WrongCostLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(new float[5], 2, 3, 0.5f, new int[2], new int[3]));
    }

    [Fact]
    public void Solve_NonFiniteThreshold_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearAssignment.Solve(new float[1], 1, 1, float.NaN, new int[1], new int[1]));
    }

    [Fact]
    public void Solve_RandomSmallMatrices_MatchesBruteForceOptimum()
    {
        var random = new Random(12345);
        for (int trial = 0; trial < 3000; trial++)
        {
            int rows = random.Next(0, 6);
            int columns = random.Next(0, 6);
            float threshold = trial % 4 == 0 ? 10f : (float)random.NextDouble();
            var costs = new float[rows * columns];
            for (int i = 0; i < costs.Length; i++)
            {
                // Coarse values make ties common, which is where solvers tend to go wrong.
                costs[i] = trial % 3 == 0 ? random.Next(0, 5) * 0.25f : (float)random.NextDouble();
            }

            int[] rowToColumn = new int[rows];
            int[] columnToRow = new int[columns];
            int matched = LinearAssignment.Solve(costs, rows, columns, threshold, rowToColumn, columnToRow);

            double objective = 0;
            int count = 0;
            for (int r = 0; r < rows; r++)
            {
                int c = rowToColumn[r];
                if (c < 0)
                {
                    continue;
                }

                count++;
                Assert.Equal(r, columnToRow[c]);
                Assert.True(costs[(r * columns) + c] <= threshold, $"trial {trial}: matched a pair above the threshold");
                objective += costs[(r * columns) + c] - (double)threshold;
            }

            for (int c = 0; c < columns; c++)
            {
                Assert.True(columnToRow[c] < 0 || rowToColumn[columnToRow[c]] == c);
            }

            Assert.Equal(count, matched);
            double best = BruteForce(costs, rows, columns, threshold, 0, new bool[columns]);
            Assert.True(Math.Abs(best - objective) < 1e-5, $"trial {trial}: solver {objective}, brute force {best}");
        }
    }

    [Fact]
    public void Solve_SameInputTwice_SameMatching()
    {
        // Every cost equal: many optima, and the solver must pick the same one every time.
        float[] costs = new float[4 * 5];
        Array.Fill(costs, 0.3f);
        int[] first = new int[4];
        int[] second = new int[4];

        LinearAssignment.Solve(costs, 4, 5, 0.5f, first, new int[5]);
        LinearAssignment.Solve(costs, 4, 5, 0.5f, second, new int[5]);

        Assert.Equal(first, second);
        Assert.DoesNotContain(-1, first);
    }

    // Minimum of Σ (cost − threshold) over all partial matchings that use only pairs with cost ≤ threshold.
    private static double BruteForce(float[] costs, int rows, int columns, float threshold, int row, bool[] usedColumns)
    {
        if (row == rows)
        {
            return 0;
        }

        double best = BruteForce(costs, rows, columns, threshold, row + 1, usedColumns);
        for (int c = 0; c < columns; c++)
        {
            float cost = costs[(row * columns) + c];
            if (usedColumns[c] || !(cost <= threshold))
            {
                continue;
            }

            usedColumns[c] = true;
            best = Math.Min(best, cost - (double)threshold + BruteForce(costs, rows, columns, threshold, row + 1, usedColumns));
            usedColumns[c] = false;
        }

        return best;
    }
}
