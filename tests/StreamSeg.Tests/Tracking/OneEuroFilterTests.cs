using StreamSeg.Tracking;

namespace StreamSeg.Tests.Tracking;

/// <summary>
/// The 1€ filter against its published equations (Casiez et al. 2012), on synthetic signals whose values are worked
/// out by hand. At a rate of 2π Hz a cutoff of 1 Hz gives α = 1 / (1 + τ/Tₑ) = 1 / (1 + (1/2π)/(1/2π)) = 1/2.
/// </summary>
public sealed class OneEuroFilterTests
{
    private const double Rate = 2 * Math.PI;

    [Theory]
    [InlineData(1.0, Rate, 0.5)] // τ = Tₑ
    [InlineData(2.0, Rate, 2.0 / 3)] // τ = Tₑ/2
    [InlineData(1.5, Rate, 0.6)] // τ = 2Tₑ/3
    [InlineData(1.0, 30.0, 0.17317)] // 1 / (1 + 30/2π) = 1 / 5.77465, to 5 digits
    public void Alpha_IsOneOverOnePlusTauOverPeriod(double cutoff, double rate, double expected)
    {
        Assert.Equal(expected, OneEuroFilter.Alpha(cutoff, rate), 5);
    }

    [Fact]
    public void Apply_BetaZero_IsAFirstOrderLowPassStartingAtTheFirstSample()
    {
        // β = 0: the cutoff stays at min_cutoff (α = 1/2), so X̂ᵢ = (Xᵢ + X̂ᵢ₋₁)/2 from X̂₁ = X₁.
        var filter = new OneEuroFilter(new OneEuroOptions { MinCutoff = 1, Beta = 0, DerivativeCutoff = 1 });

        double[] got = [.. new double[] { 0, 10, 10, 10, 10 }.Select(x => filter.Apply(x, Rate))];

        Assert.Equal([0, 5, 7.5, 8.75, 9.375], got);
    }

    [Fact]
    public void Apply_Speed_RaisesTheCutoffAsPublished()
    {
        // β = 1/π. Step 0 → 1: Ẋ = 1·2π, Ẋ̂ = ½·2π + ½·0 = π, f_c = 1 + π/π = 2, α = 2/3, X̂ = 2/3.
        // Hold at 1: Ẋ = 0, Ẋ̂ = π/2, f_c = 1.5, α = 0.6, X̂ = 0.6 + 0.4·2/3 = 13/15.
        // Hold at 1: Ẋ = 0, Ẋ̂ = π/4, f_c = 1.25, α = 1/(1 + 1/1.25) = 5/9, X̂ = 5/9 + 4/9·13/15 = 127/135.
        var filter = new OneEuroFilter(new OneEuroOptions { MinCutoff = 1, Beta = 1 / Math.PI, DerivativeCutoff = 1 });

        Assert.Equal(0, filter.Apply(0, Rate));
        Assert.Equal(2.0 / 3, filter.Apply(1, Rate), 12);
        Assert.Equal(Math.PI, filter.Speed, 12);
        Assert.Equal(13.0 / 15, filter.Apply(1, Rate), 12);
        Assert.Equal(Math.PI / 2, filter.Speed, 12);
        Assert.Equal(127.0 / 135, filter.Apply(1, Rate), 12);
    }

    [Fact]
    public void Apply_ValueScale_MeasuresSpeedInScaledUnits()
    {
        // MediaPipe's value scale: a step of 2 at scale 1/2 is the speed of a step of 1 (f_c = 2, α = 2/3), so X̂ = 4/3.
        var filter = new OneEuroFilter(new OneEuroOptions { MinCutoff = 1, Beta = 1 / Math.PI, DerivativeCutoff = 1 });
        filter.Apply(0, Rate, 0.5);

        Assert.Equal(4.0 / 3, filter.Apply(2, Rate, 0.5), 12);
        Assert.Equal(Math.PI, filter.Speed, 12);
    }

    [Fact]
    public void Apply_NoisyConstant_RemovesMostOfTheJitterWithMediaPipesSettings()
    {
        // A still point at 100 px with ±2 px alternating jitter, at 30 fps, speed scaled by a 200 px person.
        var filter = new OneEuroFilter(new OneEuroOptions());
        double previous = filter.Apply(100, 30, 1 / 200.0);
        double moved = 0;
        for (int i = 1; i < 60; i++)
        {
            double x = filter.Apply(100 + (i % 2 == 0 ? 2 : -2), 30, 1 / 200.0);
            moved += Math.Abs(x - previous);
            previous = x;
        }

        // The raw signal moves 4 px a frame (236 px in all). MediaPipe's β = 80 lets this fast alternation partly
        // through (its speed estimate raises the cutoff to a few Hz), so the filtered point moves about a third as much.
        Assert.InRange(moved, 236 * 0.2, 236 * 0.4);
    }

    [Fact]
    public void Reset_NextSamplePassesUnchanged()
    {
        var filter = new OneEuroFilter(new OneEuroOptions { MinCutoff = 1, Beta = 0 });
        filter.Apply(0, Rate);
        filter.Apply(10, Rate);

        filter.Reset();

        Assert.False(filter.HasValue);
        Assert.Equal(42, filter.Apply(42, Rate));
        Assert.Equal(0, filter.Speed);
    }

    [Theory]
    [InlineData(0, 80, 1)]
    [InlineData(0.05, -1, 1)]
    [InlineData(0.05, 80, 0)]
    [InlineData(double.NaN, 80, 1)]
    public void Ctor_OutOfRangeOptions_Throw(double minCutoff, double beta, double derivativeCutoff)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OneEuroFilter(new OneEuroOptions { MinCutoff = minCutoff, Beta = beta, DerivativeCutoff = derivativeCutoff }));
    }
}
