namespace StreamSeg.Pipeline;

/// <summary>
/// A thread-safe, fixed-size histogram of durations with log-spaced buckets (about 2 % apart, from 10 µs to
/// 100 s), giving percentiles in constant memory however long the run.
/// </summary>
public sealed class LatencyHistogram
{
    private const double MinMs = 0.01;
    private const double Growth = 1.02;
    private const int BucketCount = 820;
    private static readonly double s_logGrowth = Math.Log(Growth);
    private readonly long[] _buckets = new long[BucketCount];
    private readonly Lock _lock = new();
    private long _count;
    private double _sumMs;
    private double _recentMs;

    /// <summary>Gets the number of samples.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Gets the mean in milliseconds (0 without samples).</summary>
    public double MeanMs
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? 0 : _sumMs / _count;
            }
        }
    }

    /// <summary>Gets an exponential moving average of recent samples, in milliseconds.</summary>
    public double RecentMs => Volatile.Read(ref _recentMs);

    /// <summary>Records one duration in milliseconds.</summary>
    public void Record(double ms)
    {
        int bucket = ms <= MinMs ? 0 : Math.Min(BucketCount - 1, (int)(Math.Log(ms / MinMs) / s_logGrowth) + 1);
        lock (_lock)
        {
            _buckets[bucket]++;
            _count++;
            _sumMs += ms;
            _recentMs = _count == 1 ? ms : (_recentMs * 0.9) + (ms * 0.1);
        }
    }

    /// <summary>Gets the <paramref name="percentile"/> (0..100) in milliseconds, to within the bucket width.</summary>
    public double Percentile(double percentile)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return 0;
            }

            long rank = (long)Math.Ceiling(percentile / 100.0 * _count);
            rank = Math.Clamp(rank, 1, _count);
            long seen = 0;
            for (int i = 0; i < BucketCount; i++)
            {
                seen += _buckets[i];
                if (seen >= rank)
                {
                    // The bucket's geometric middle.
                    return i == 0 ? MinMs : MinMs * Math.Pow(Growth, i - 0.5);
                }
            }

            return MinMs * Math.Pow(Growth, BucketCount);
        }
    }
}
