using StreamSeg.Decode;
using StreamSeg.Tracking;

namespace StreamSeg.Tests.Tracking;

public class KalmanBoxFilterTests
{
    private const int N = KalmanBoxFilter.StateSize;

    [Fact]
    public void Ctor_Box_StateIsMeasurementWithZeroVelocityAndByteTrackNoise()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(200, 150, 50, 100));

        Assert.Equal([200, 150, 0.5, 100, 0, 0, 0, 0], filter.Mean.ToArray());

        // Initial std: 2·h/20 for positions and height, 10·h/160 for their velocities, 1e-2 / 1e-5 for the aspect.
        ReadOnlySpan<double> p = filter.Covariance;
        Assert.Equal(100, p[(0 * N) + 0], 9);
        Assert.Equal(100, p[(1 * N) + 1], 9);
        Assert.Equal(1e-4, p[(2 * N) + 2], 12);
        Assert.Equal(100, p[(3 * N) + 3], 9);
        Assert.Equal(39.0625, p[(4 * N) + 4], 9);
        Assert.Equal(1e-10, p[(6 * N) + 6], 15);
        Assert.Equal(0, p[(0 * N) + 4]);
    }

    [Fact]
    public void Predict_FromRest_KeepsMeanAndAddsVelocityAndProcessNoise()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(200, 150, 50, 100));

        filter.Predict();

        Assert.Equal([200, 150, 0.5, 100, 0, 0, 0, 0], filter.Mean.ToArray());
        ReadOnlySpan<double> p = filter.Covariance;

        // P' = F·P·Fᵀ + Q: position variance 100 + 39.0625 + (h/20)², position-velocity covariance 39.0625.
        Assert.Equal(164.0625, p[(0 * N) + 0], 9);
        Assert.Equal(39.0625, p[(0 * N) + 4], 9);
        Assert.Equal(39.0625, p[(4 * N) + 0], 9);
        Assert.Equal(39.0625 + 0.390625, p[(4 * N) + 4], 9);
    }

    [Fact]
    public void Update_AfterPredict_MovesByKalmanGain()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(200, 150, 50, 100));
        filter.Predict();

        filter.Update(BoxF.FromCenter(210, 150, 50, 100));

        // S = 164.0625 + (h/20)² = 189.0625; the gains are P/S for the position and cov(x, vx)/S for the velocity.
        const double s = 164.0625 + 25;
        ReadOnlySpan<double> mean = filter.Mean;
        Assert.Equal(200 + (10 * 164.0625 / s), mean[0], 6);
        Assert.Equal(10 * 39.0625 / s, mean[4], 6);
        Assert.Equal(150, mean[1], 9);
        Assert.Equal(100, mean[3], 6);
        Assert.Equal(164.0625 * 25 / s, filter.Covariance[0], 6);
    }

    [Fact]
    public void Update_LinearMotion_LearnsVelocityAndPredictsNextBox()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(100, 100, 40, 80));
        for (int t = 1; t <= 40; t++)
        {
            filter.Predict();
            filter.Update(BoxF.FromCenter(100 + (4 * t), 100 - (2 * t), 40, 80));
        }

        ReadOnlySpan<double> mean = filter.Mean;
        Assert.Equal(4, mean[4], 1);
        Assert.Equal(-2, mean[5], 1);
        Assert.Equal(0, mean[7], 1);

        filter.Predict();
        BoxF predicted = filter.Box;
        Assert.Equal(100 + (4 * 41), predicted.CenterX, 0.5);
        Assert.Equal(100 - (2 * 41), predicted.CenterY, 0.5);
        Assert.Equal(40, predicted.Width, 0.1);
        Assert.Equal(80, predicted.Height, 0.1);
    }

    [Fact]
    public void Update_SameBoxRepeatedly_ShrinksUncertaintyAndStaysSymmetric()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(50, 60, 20, 40));
        double before = filter.Covariance[0];
        for (int t = 0; t < 10; t++)
        {
            filter.Predict();
            filter.Update(BoxF.FromCenter(50, 60, 20, 40));
        }

        ReadOnlySpan<double> p = filter.Covariance;
        Assert.True(p[0] < before, $"position variance {p[0]} should be below {before}");
        for (int i = 0; i < N; i++)
        {
            Assert.True(p[(i * N) + i] > 0);
            for (int j = 0; j < N; j++)
            {
                Assert.Equal(p[(i * N) + j], p[(j * N) + i]);
            }
        }

        Assert.Equal(50, filter.Box.CenterX, 3);
        Assert.Equal(20, filter.Box.Width, 3);
    }

    [Fact]
    public void ClearHeightVelocity_ThenPredict_KeepsHeight()
    {
        var filter = new KalmanBoxFilter(BoxF.FromCenter(100, 100, 50, 100));
        for (int t = 1; t <= 10; t++)
        {
            filter.Predict();
            filter.Update(BoxF.FromCenter(100 + t, 100, 50 + (0.5f * t), 100 + t));
        }

        double height = filter.Mean[3];
        Assert.True(filter.Mean[7] > 0.5);

        filter.ClearHeightVelocity();
        filter.Predict();

        Assert.Equal(height, filter.Mean[3], 9);
        Assert.True(filter.Mean[4] > 0.5, "the position velocity is kept");
    }
}
