namespace StreamSeg.Tests.Support;

/// <summary>
/// The cluster benchmark: figures, not a test, run by <c>./run.sh cluster-bench</c> (which sets
/// <c>STREAMSEG_CLUSTER_BENCH=1</c>); skipped otherwise, and where mosquitto is absent.
/// </summary>
public sealed class ClusterBenchFactAttribute : FactAttribute
{
    public ClusterBenchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("STREAMSEG_CLUSTER_BENCH") is null)
        {
            Skip = "a benchmark, not a test: ./run.sh cluster-bench runs it (STREAMSEG_CLUSTER_BENCH=1)";
        }
        else if (MosquittoFactAttribute.Find("mosquitto") is null || MosquittoFactAttribute.Find("mosquitto_sub") is null)
        {
            Skip = "mosquitto or mosquitto_sub is not installed: apt-get install mosquitto mosquitto-clients";
        }
    }
}
