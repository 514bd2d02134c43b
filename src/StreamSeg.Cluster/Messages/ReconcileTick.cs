namespace StreamSeg.Cluster.Messages;

/// <summary>The reconciler's timer message: time to make the running streams match the desired ones.</summary>
internal sealed class ReconcileTick
{
    /// <summary>Gets the one instance.</summary>
    public static ReconcileTick Instance { get; } = new();

    private ReconcileTick()
    {
    }
}
