using Akka.Actor;
using StreamSeg.Capture;
using StreamSeg.Cluster;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// The streams of the whole cluster (<c>streamseg serve --cluster</c>): any node lists, adds and removes them through
/// <see cref="ClusterStreams"/> (the reconciler singleton and the stream's owner do the work); a stream that runs on
/// this node is shown with its own state and counters, one on another node with state <c>remote</c> and its owner.
/// </summary>
/// <remarks>Requests are refused with 503 until <see cref="Bind"/> (the node is up in the cluster).</remarks>
internal sealed class ClusterStreamCatalog : IStreamCatalog
{
    private readonly StreamHost _host;
    private ClusterStreams? _cluster;

    /// <summary>Creates the catalog; this node's own streams are in <paramref name="host"/>.</summary>
    public ClusterStreamCatalog(StreamHost host)
    {
        _host = host;
    }

    /// <summary>Gets the cluster once the node is up in it (null before).</summary>
    public ClusterStreams? Cluster => Volatile.Read(ref _cluster);

    /// <summary>Starts answering through <paramref name="cluster"/>: the node is up.</summary>
    public void Bind(ClusterStreams cluster) => Volatile.Write(ref _cluster, cluster);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StreamSummary>> ListAsync(CancellationToken cancellationToken)
    {
        ClusterStreams cluster = Require();
        IReadOnlyList<ClusterStreamInfo> infos = await Ask(() => cluster.ListAsync(cancellationToken)).ConfigureAwait(false);
        return infos.Select(i => Summarize(cluster, i.Spec, i.Node, "remote")).ToList();
    }

    /// <inheritdoc/>
    public async Task<object?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ClusterStreams cluster = Require();
        if (_host.Find(id) is { } local)
        {
            return local.Detail() with { Node = cluster.SelfAddress };
        }

        IReadOnlyList<ClusterStreamInfo> infos = await Ask(() => cluster.ListAsync(cancellationToken)).ConfigureAwait(false);
        if (infos.FirstOrDefault(i => i.Spec.Id == id) is not { } info)
        {
            return null;
        }

        StreamSummary summary = Summarize(cluster, info.Spec, info.Node, "remote");
        if (info.Node is null)
        {
            return summary;
        }

        // On another node: its entity there answers with the owner's counters (only asked for a desired stream with
        // an owner, since any message to the region starts an entity).
        ClusterStreamCounters remote = await Ask(() => cluster.GetCountersAsync(id, cancellationToken)).ConfigureAwait(false);
        if (remote.Counters is not { } c)
        {
            return summary;
        }

        return new StreamDetail(
            summary.Id,
            summary.Source,
            c.State,
            c.Fps,
            remote.Node,
            summary.Publish,
            summary.Record,
            summary.Meta,
            new StreamCounters(c.FramesIn, c.FramesOut, c.Drops, c.Reconnects, c.E2eP50Ms, c.E2eP95Ms),
            c.Error);
    }

    /// <inheritdoc/>
    public async Task<StreamSummary> AddAsync(StreamSpec spec, CancellationToken cancellationToken)
    {
        ClusterStreams cluster = Require();
        StreamSpecParser.Validate(spec);
        ClusterStreamInfo info = await Ask(() => cluster.AddAsync(spec, cancellationToken)).ConfigureAwait(false);
        return Summarize(cluster, info.Spec, info.Node, "live");
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        ClusterStreams cluster = Require();
        try
        {
            await Ask(async () =>
            {
                await cluster.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            return true;
        }
        catch (StreamRequestException e) when (e.Error == StreamRequestError.NotFound)
        {
            return false;
        }
    }

    private static async Task<T> Ask<T>(Func<Task<T>> request)
    {
        try
        {
            return await request().ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new StreamRequestException(StreamRequestError.Unavailable, "the cluster did not answer in time; try again");
        }
        catch (InvalidOperationException e)
        {
            // The reconciler could not write the desired streams (no majority): a transient state of the cluster.
            throw new StreamRequestException(StreamRequestError.Unavailable, e.Message);
        }
    }

    private ClusterStreams Require() =>
        Cluster ?? throw new StreamRequestException(StreamRequestError.Unavailable, "the node is not up in the cluster yet");

    private StreamSummary Summarize(ClusterStreams cluster, StreamSpec spec, string? node, string remoteState)
    {
        if (node == cluster.SelfAddress && _host.Find(spec.Id) is { } local)
        {
            return local.Summary() with { Node = node };
        }

        return new StreamSummary(
            spec.Id,
            UrlRedactor.Redact(spec.Source),
            node is null ? "pending" : remoteState,
            0,
            node,
            spec.Publish is null ? null : UrlRedactor.Redact(spec.Publish),
            spec.Record,
            spec.Meta);
    }
}
