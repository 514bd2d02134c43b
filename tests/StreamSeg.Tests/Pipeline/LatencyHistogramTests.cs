using StreamSeg.Pipeline;

namespace StreamSeg.Tests.Pipeline;

public class LatencyHistogramTests
{
    [Fact]
    public void Percentile_UniformSamples_WithinBucketWidth()
    {
        var h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++)
        {
            h.Record(i / 10.0); // 0.1 … 100 ms
        }

        Assert.Equal(1000, h.Count);
        Assert.InRange(h.Percentile(50), 50 * 0.97, 50 * 1.03);
        Assert.InRange(h.Percentile(95), 95 * 0.97, 95 * 1.03);
        Assert.InRange(h.MeanMs, 50.0, 50.1);
    }
}
