using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>The streams of a single node (<c>streamseg serve</c> without <c>--cluster</c>): its <see cref="StreamHost"/>.</summary>
internal sealed class LocalStreamCatalog : IStreamCatalog
{
    private readonly StreamHost _host;

    /// <summary>Creates the catalog over <paramref name="host"/>.</summary>
    public LocalStreamCatalog(StreamHost host)
    {
        _host = host;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StreamSummary>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StreamSummary>>(_host.Streams.Select(s => s.Summary()).ToList());

    /// <inheritdoc/>
    public Task<object?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult<object?>(_host.Find(id)?.Detail());

    /// <inheritdoc/>
    public async Task<StreamSummary> AddAsync(StreamSpec spec, CancellationToken cancellationToken)
    {
        await _host.StartAsync(spec, cancellationToken).ConfigureAwait(false);
        return _host.Find(spec.Id)!.Summary();
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken) =>
        await _host.StopAsync(id, cancellationToken).ConfigureAwait(false);
}
