namespace StreamSeg.Serving;

/// <summary>
/// The streams running in this process's pipeline. <c>streamseg serve</c> implements it over its running pipeline; the
/// cluster layer (one sharded entity per stream) starts and stops streams only through it.
/// </summary>
/// <remarks>
/// Starting or stopping one stream never restarts the pipeline or disturbs the others: the models stay loaded, the
/// stream gets its own tracker, recurrent model state and sinks, and its outputs are finalised when it stops.
/// </remarks>
public interface IStreamHost
{
    /// <summary>Gets the node's name as it appears in the API and in each metadata message (<c>node</c>).</summary>
    string NodeName { get; }

    /// <summary>Gets the most streams this node runs at once (<c>--max-streams</c>); 0 when unbounded.</summary>
    int MaxStreams { get; }

    /// <summary>Gets the ids of the streams running here now.</summary>
    IReadOnlyCollection<string> RunningIds { get; }

    /// <summary>Starts <paramref name="spec"/> in the running pipeline.</summary>
    /// <exception cref="StreamRequestException">The spec is invalid, the id runs already, or the node is full.</exception>
    ValueTask StartAsync(StreamSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Stops the stream <paramref name="id"/> and finalises its outputs; false when it does not run here.</summary>
    ValueTask<bool> StopAsync(string id, CancellationToken cancellationToken = default);
}
