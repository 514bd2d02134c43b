namespace StreamSeg.Cluster.Tests.Support;

/// <summary>Polls a condition until it holds or a bound passes.</summary>
internal static class Eventually
{
    public static async Task<TimeSpan> HoldsAsync(Func<bool> condition, TimeSpan bound, Func<string> describe)
    {
        DateTime start = DateTime.UtcNow;
        while (!condition())
        {
            if (DateTime.UtcNow - start > bound)
            {
                Assert.Fail($"not within {bound.TotalSeconds:0} s: {describe()}");
            }

            await Task.Delay(100);
        }

        return DateTime.UtcNow - start;
    }
}
