using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Microsoft.Extensions.Logging;
using StreamSeg.Cluster.Messages;
using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>
/// The cluster singleton that owns the desired streams: it alone adds and removes them (majority writes to
/// <see cref="DesiredStreams"/>), and every <see cref="ClusterNodeOptions.ReconcileInterval"/> it sends each desired
/// stream's entity an <see cref="EnsureStream"/> and stops entities whose stream is no longer desired.
/// </summary>
/// <remarks>
/// remember-entities already restarts a crashed node's entities; the reconciler is the second net for what it cannot
/// see (an entity whose start failed, a removal whose stop was lost with its node). When the singleton's node dies,
/// the next oldest node starts it, and it reads the desired streams back from a majority of replicas.
/// </remarks>
internal sealed partial class StreamReconciler : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly IActorRef _region;
    private readonly IActorRef _replicator;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private ImmutableDictionary<string, StreamSpec> _desired = ImmutableDictionary<string, StreamSpec>.Empty;

    /// <summary>Creates the reconciler over the stream shard region <paramref name="region"/>.</summary>
    public StreamReconciler(IActorRef region, TimeSpan interval, TimeSpan timeout, ILogger<StreamReconciler> logger)
    {
        _region = region;
        _interval = interval;
        _timeout = timeout;
        _logger = logger;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        Loading();
    }

    /// <inheritdoc/>
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Gets the props.</summary>
    public static Props Props(IActorRef region, TimeSpan interval, TimeSpan timeout, ILogger<StreamReconciler> logger) =>
        Akka.Actor.Props.Create(() => new StreamReconciler(region, interval, timeout, logger));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Get(DesiredStreams.Key, new ReadMajority(_timeout)));
    }

    private void Loading()
    {
        Receive<GetSuccess>(success => Ready(success.Get(DesiredStreams.Key).Entries.ToImmutableDictionary()));
        Receive<NotFound>(_ => Ready(ImmutableDictionary<string, StreamSpec>.Empty));
        Receive<GetFailure>(_ =>
        {
            // No majority answered in time (nodes lost and not yet downed): this node's replica is the best there is.
            LogLocalRead(_logger);
            _replicator.Tell(Dsl.Get(DesiredStreams.Key, ReadLocal.Instance));
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready(ImmutableDictionary<string, StreamSpec> desired)
    {
        _desired = desired;
        LogLoaded(_logger, desired.Count);
        Become(() =>
        {
            ReceiveAsync<AddStream>(OnAddAsync);
            ReceiveAsync<RemoveStream>(OnRemoveAsync);
            Receive<ReconcileTick>(_ => OnTick());
            Receive<ClusterShardingStats>(OnStats);
            Receive<StreamEntityReply>(reply =>
            {
                if (reply.Error is not null)
                {
                    LogEnsureRefused(_logger, reply.StreamId, reply.Node, reply.Message ?? string.Empty);
                }
            });
            Receive<Status.Failure>(static _ => { });
        });
        Stash.UnstashAll();
        Timers.StartPeriodicTimer(nameof(ReconcileTick), ReconcileTick.Instance, TimeSpan.Zero, _interval);
    }

    private async Task OnAddAsync(AddStream add)
    {
        IActorRef sender = Sender;
        StreamSpec spec = add.Spec;
        if (_desired.ContainsKey(spec.Id))
        {
            sender.Tell(new ReconcilerReply(StreamRequestError.Duplicate, $"stream '{spec.Id}' exists already"));
            return;
        }

        int capacity = ClusterCapacity();
        if (capacity > 0 && _desired.Count >= capacity)
        {
            sender.Tell(new ReconcilerReply(StreamRequestError.Full, $"the cluster runs {_desired.Count} streams, as many as its nodes' --max-streams allow"));
            return;
        }

        if (await WriteAsync(d => d.SetItem(_cluster, spec.Id, spec), sender))
        {
            _desired = _desired.SetItem(spec.Id, spec);
            LogAdded(_logger, spec.Id);
            sender.Tell(new ReconcilerReply());
        }
    }

    private async Task OnRemoveAsync(RemoveStream remove)
    {
        IActorRef sender = Sender;
        if (!_desired.ContainsKey(remove.StreamId))
        {
            sender.Tell(new ReconcilerReply(StreamRequestError.NotFound, $"no stream '{remove.StreamId}'"));
            return;
        }

        if (await WriteAsync(d => d.Remove(_cluster, remove.StreamId), sender))
        {
            _desired = _desired.Remove(remove.StreamId);
            LogRemoved(_logger, remove.StreamId);
            sender.Tell(new ReconcilerReply());
        }
    }

    private async Task<bool> WriteAsync(Func<LWWDictionary<string, StreamSpec>, LWWDictionary<string, StreamSpec>> modify, IActorRef sender)
    {
        var update = Dsl.Update(DesiredStreams.Key, LWWDictionary<string, StreamSpec>.Empty, new WriteMajority(_timeout), modify);
        IUpdateResponse response = await _replicator.Ask<IUpdateResponse>(update, _timeout + _timeout);
        switch (response)
        {
            case UpdateSuccess:
                return true;
            case UpdateTimeout:
                // Written here, not yet on a majority: gossip carries it on, so the change stands.
                LogWriteTimeout(_logger);
                return true;
            default:
                sender.Tell(new ReconcilerReply(null, $"the desired streams could not be written ({response.GetType().Name})"));
                return false;
        }
    }

    private void OnTick()
    {
        foreach (StreamSpec spec in _desired.Values)
        {
            _region.Tell(new EnsureStream(spec));
        }

        _region.Ask<ClusterShardingStats>(new GetClusterShardingStats(_interval), _interval + _interval).PipeTo(Self);
    }

    private void OnStats(ClusterShardingStats stats)
    {
        foreach (ShardRegionStats region in stats.Regions.Values)
        {
            foreach ((string shard, int entities) in region.Stats)
            {
                // One shard per stream: a shard with a live entity whose stream was removed is one whose stop was lost.
                if (entities > 0 && !_desired.ContainsKey(shard))
                {
                    _region.Tell(new StopStream(shard));
                }
            }
        }
    }

    /// <summary>Gets the sum of the up nodes' capacities; 0 when one of them is unbounded.</summary>
    private int ClusterCapacity()
    {
        int total = 0;
        foreach (Akka.Cluster.Member member in _cluster.State.Members)
        {
            if (member.Status != Akka.Cluster.MemberStatus.Up)
            {
                continue;
            }

            int max = NodeCapacity.Of(member);
            if (max == 0)
            {
                return 0;
            }

            total += max;
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: reconciler holds {Count} desired streams")]
    private static partial void LogLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: no majority answered; the reconciler reads this node's replica of the desired streams")]
    private static partial void LogLocalRead(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: stream {Id} added")]
    private static partial void LogAdded(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: stream {Id} removed")]
    private static partial void LogRemoved(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: the desired streams reached no majority in time; gossip carries the change on")]
    private static partial void LogWriteTimeout(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cluster: stream {Id} refused by {Node}: {Message}")]
    private static partial void LogEnsureRefused(ILogger logger, string id, string node, string message);
}
