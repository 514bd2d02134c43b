using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Akka.Hosting;
using StreamSeg.Cluster.Messages;
using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>
/// The cluster's stream API, for the HTTP endpoints of any node: adds and removes go to the reconciler singleton
/// (wherever it runs) and on to the stream's owner through the shard region; state comes from the membership and
/// the shard region's statistics.
/// </summary>
/// <remarks>Resolve it after the host has started (it needs the running actor system).</remarks>
public sealed class ClusterStreams
{
    private readonly ActorSystem _system;
    private readonly IReadOnlyActorRegistry _registry;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the façade over the started <paramref name="system"/>.</summary>
    public ClusterStreams(ActorSystem system, IReadOnlyActorRegistry registry, ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _system = system;
        _registry = registry;
        _timeout = options.RequestTimeout;
    }

    /// <summary>Gets this node's cluster address.</summary>
    public string SelfAddress => Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>Gets a task that completes when this node is up in the cluster (a readiness check).</summary>
    public Task WhenUp
    {
        get
        {
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(_system).RegisterOnMemberUp(up.SetResult);
            return up.Task;
        }
    }

    private IActorRef Region => _registry.Get<StreamEntity>();

    private IActorRef Reconciler => _registry.Get<StreamReconciler>();

    /// <summary>
    /// Asks the owner of stream <paramref name="id"/> (through its sharded entity) for the stream's counters. Ask only
    /// for a stream that is desired and has an owner (<see cref="ListAsync"/>): a message to the region starts the
    /// entity of any id.
    /// </summary>
    /// <exception cref="AskTimeoutException">The owner did not answer within the request timeout.</exception>
    public Task<ClusterStreamCounters> GetCountersAsync(string id, CancellationToken cancellationToken = default) =>
        Region.Ask<ClusterStreamCounters>(new GetStreamCounters(id), _timeout, cancellationToken);

    /// <summary>
    /// Adds <paramref name="spec"/> to the cluster and waits until its owner started it.
    /// </summary>
    /// <returns>The stream and its owner; the owner is null when it did not answer in time (the stream stays desired and starts when it can).</returns>
    /// <exception cref="StreamRequestException">The spec is invalid, the id exists (Duplicate), the nodes' <c>--max-streams</c> are used up (Full), or the owner refused the stream (its error; the add is undone).</exception>
    public async Task<ClusterStreamInfo> AddAsync(StreamSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.Id) || spec.Id.Contains('/', StringComparison.Ordinal))
        {
            throw new StreamRequestException(StreamRequestError.Invalid, "id: a non-empty name without '/' is required");
        }

        if (string.IsNullOrWhiteSpace(spec.Source))
        {
            throw new StreamRequestException(StreamRequestError.Invalid, "source: a file, camera or URL is required");
        }

        ThrowIfRefused(await Reconciler.Ask<ReconcilerReply>(new AddStream(spec), _timeout, cancellationToken));
        StreamEntityReply started;
        try
        {
            started = await Region.Ask<StreamEntityReply>(new EnsureStream(spec), _timeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            return new ClusterStreamInfo(spec, null);
        }

        if (started.Error is { } error)
        {
            await RemoveAsync(spec.Id, cancellationToken);
            throw new StreamRequestException(error, started.Message ?? $"stream '{spec.Id}' was refused");
        }

        return new ClusterStreamInfo(spec, started.Node);
    }

    /// <summary>Removes stream <paramref name="id"/> from the cluster and waits until its owner stopped it (outputs finalised).</summary>
    /// <exception cref="StreamRequestException">No such stream (NotFound).</exception>
    public async Task RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ThrowIfRefused(await Reconciler.Ask<ReconcilerReply>(new RemoveStream(id), _timeout, cancellationToken));
        try
        {
            await Region.Ask<StreamEntityReply>(new StopStream(id), _timeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            // The owner did not answer (it may be dying): the reconciler stops the entity once it is no longer desired.
        }
    }

    /// <summary>Gets the desired streams, by id, each with the node that runs it.</summary>
    public async Task<IReadOnlyList<ClusterStreamInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, StreamSpec> desired = await ReadDesiredAsync(cancellationToken);
        ClusterState state = await GetClusterStateAsync(cancellationToken);
        return desired.Values
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => new ClusterStreamInfo(s, state.Assignments.GetValueOrDefault(s.Id)))
            .ToList();
    }

    /// <summary>Gets the members (address, status, streams) and the assignments (stream id → node address).</summary>
    public async Task<ClusterState> GetClusterStateAsync(CancellationToken cancellationToken = default)
    {
        var stats = await Region.Ask<ClusterShardingStats>(new GetClusterShardingStats(_timeout), _timeout + _timeout, cancellationToken);
        var assignments = new Dictionary<string, string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((Address address, ShardRegionStats region) in stats.Regions)
        {
            string node = address.ToString();
            foreach ((string shard, int entities) in region.Stats)
            {
                if (entities > 0)
                {
                    assignments[shard] = node;
                    counts[node] = counts.GetValueOrDefault(node) + 1;
                }
            }
        }

        Akka.Cluster.ClusterEvent.CurrentClusterState cluster = Akka.Cluster.Cluster.Get(_system).State;
        var members = cluster.Members
            .Select(m => new ClusterMemberState(
                m.Address.ToString(),
                m.Status.ToString().ToLowerInvariant(),
                !cluster.Unreachable.Contains(m),
                counts.GetValueOrDefault(m.Address.ToString()),
                NodeCapacity.Of(m)))
            .ToList();
        return new ClusterState(members, assignments);
    }

    /// <summary>
    /// Leaves the cluster gracefully: Akka's coordinated shutdown hands this node's streams to the others (each entity
    /// stops its stream, then its shard starts on another node), leaves, and terminates the actor system. The Generic
    /// Host does the same when it stops (SIGTERM); call this to drain without stopping the host.
    /// </summary>
    public Task LeaveAsync() => CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

    private static void ThrowIfRefused(ReconcilerReply reply)
    {
        if (reply.Error is { } error)
        {
            throw new StreamRequestException(error, reply.Message ?? error.ToString());
        }

        if (reply.Message is not null)
        {
            throw new InvalidOperationException(reply.Message);
        }
    }

    private async Task<IReadOnlyDictionary<string, StreamSpec>> ReadDesiredAsync(CancellationToken cancellationToken)
    {
        IActorRef replicator = DistributedData.Get(_system).Replicator;
        object response = await replicator.Ask(Dsl.Get(DesiredStreams.Key, new ReadMajority(_timeout)), _timeout + _timeout, cancellationToken);
        if (response is GetFailure)
        {
            // No majority in time: this node's replica lags at most a gossip round behind.
            response = await replicator.Ask(Dsl.Get(DesiredStreams.Key, ReadLocal.Instance), _timeout, cancellationToken);
        }

        return response is GetSuccess success
            ? success.Get(DesiredStreams.Key).Entries
            : new Dictionary<string, StreamSpec>();
    }
}
