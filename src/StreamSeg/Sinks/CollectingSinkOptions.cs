namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="CollectingSink"/>.</summary>
public sealed record CollectingSinkOptions
{
    /// <summary>Gets whether each frame's image is cloned too (costs a native copy per frame; tests only). Default false.</summary>
    public bool CopyImages { get; init; }

    /// <summary>Gets the sink name. Default <c>collect</c>.</summary>
    public string Name { get; init; } = "collect";
}
