using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// What the stream API asks: the streams of this node (<see cref="LocalStreamCatalog"/>) or of the whole cluster
/// (<see cref="ClusterStreamCatalog"/>, any node answering for all and forwarding to the owner).
/// </summary>
internal interface IStreamCatalog
{
    /// <summary>Gets every stream, credentials redacted.</summary>
    Task<IReadOnlyList<StreamSummary>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Gets stream <paramref name="id"/> as <c>GET /api/streams/{id}</c> shows it (with counters where they are known), or null.</summary>
    Task<object?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Starts <paramref name="spec"/> and returns it as listed.</summary>
    /// <exception cref="StreamRequestException">It was refused.</exception>
    Task<StreamSummary> AddAsync(StreamSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops stream <paramref name="id"/> (outputs finalised); false when there is none.</summary>
    /// <exception cref="StreamRequestException">The node takes no request now.</exception>
    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken);
}
