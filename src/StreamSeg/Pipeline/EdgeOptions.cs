namespace StreamSeg.Pipeline;

/// <summary>The capacity and drop policy of one edge between two stages.</summary>
/// <param name="Capacity">How many frames the edge holds (at least 1).</param>
/// <param name="Policy">What happens when it is full.</param>
public sealed record EdgeOptions(int Capacity, FrameDropPolicy Policy)
{
    /// <summary>The default for file sources: a short queue that never drops.</summary>
    public static EdgeOptions Lossless { get; } = new(4, FrameDropPolicy.Wait);

    /// <summary>The default for live sources: a short queue that drops the oldest frame.</summary>
    public static EdgeOptions Live { get; } = new(2, FrameDropPolicy.DropOldest);
}
