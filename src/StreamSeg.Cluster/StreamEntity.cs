using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Microsoft.Extensions.Logging;
using StreamSeg.Cluster.Messages;
using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>
/// One camera in the cluster: a sharded entity keyed by the stream id that runs the stream in its node's pipeline
/// through <see cref="IStreamHost"/>. Sharding keeps at most one entity per id in the cluster, so a camera runs on one
/// node; the entity stops the stream before it stops (removal, hand-off), so a move never overlaps.
/// </summary>
internal sealed partial class StreamEntity : ReceiveActor
{
    /// <summary>The shard region's type name.</summary>
    public const string TypeName = "stream";

    private readonly string _id;
    private readonly IStreamHost _host;
    private readonly ILogger _logger;
    private readonly string _node;
    private StreamSpec? _running;
    private bool _passivating;

    /// <summary>Creates the entity for stream <paramref name="id"/> on the node whose pipeline is <paramref name="host"/>.</summary>
    public StreamEntity(string id, IStreamHost host, ILogger<StreamEntity> logger)
    {
        _id = id;
        _host = host;
        _logger = logger;
        _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

        ReceiveAsync<EnsureStream>(OnEnsureAsync);
        ReceiveAsync<StopStream>(_ => OnStopAsync());
        ReceiveAsync<StreamHandOff>(_ => OnHandOffAsync());
        ReceiveAsync<GetSuccess>(OnRecoveredAsync);
        Receive<GetStreamCounters>(_ => Sender.Tell(new ClusterStreamCounters(
            _id,
            _node,
            _running is not null && _host is IStreamCounterSource counters ? counters.GetCounters(_id) : null)));
        Receive<NotFound>(static _ => { });
        Receive<GetFailure>(static _ => { });
    }

    /// <summary>Gets the props for stream <paramref name="id"/>.</summary>
    public static Props Props(string id, IStreamHost host, ILogger<StreamEntity> logger) =>
        Akka.Actor.Props.Create(() => new StreamEntity(id, host, logger));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        // remember-entities restarts this entity without a message after its node died or its shard moved: the spec
        // comes from this node's replica of the desired streams (the reconciler's next Ensure covers a lagging replica).
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Get(DesiredStreams.Key, ReadLocal.Instance), Self);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Stopped without a hand-off (the actor system terminates, or the entity failed): the stream must not outlive
        // its entity, or a restart elsewhere would run it twice.
        if (_running is not null)
        {
            _running = null;
            _ = StopQuietlyAsync();
        }
    }

    private async Task OnEnsureAsync(EnsureStream ensure)
    {
        IActorRef sender = Sender;
        if (_passivating)
        {
            // Sharding buffers what comes after the Passivate and hands it to the next incarnation; this one was
            // already in the mailbox, and the reconciler repeats it.
            return;
        }

        if (_running is not null && _running != ensure.Spec)
        {
            // Removed and added again with another spec while this entity lived: restart it with the new one.
            await StopRunningAsync("its spec changed");
        }

        sender.Tell(_running is null ? await StartAsync(ensure.Spec) : new StreamEntityReply(_id, _node));
    }

    private async Task OnRecoveredAsync(GetSuccess success)
    {
        if (_running is null && !_passivating && success.Get(DesiredStreams.Key).TryGetValue(_id, out StreamSpec spec))
        {
            await StartAsync(spec);
        }
    }

    private async Task OnStopAsync()
    {
        IActorRef sender = Sender;
        _passivating = true;
        await StopRunningAsync("removed");
        sender.Tell(new StreamEntityReply(_id, _node));

        // Passivation (not a plain stop) also forgets the entity in remember-entities, so it is not restarted.
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    private async Task OnHandOffAsync()
    {
        await StopRunningAsync("handed off");
        Context.Stop(Self);
    }

    private async Task<StreamEntityReply> StartAsync(StreamSpec spec)
    {
        try
        {
            await _host.StartAsync(spec);
        }
        catch (StreamRequestException e) when (e.Error == StreamRequestError.Duplicate)
        {
            // The entity restarted on this node while the stream ran on: it is ours.
        }
        catch (StreamRequestException e)
        {
            // An entity without its stream must not stay: the cluster state would show the stream running here. The
            // reconciler's next Ensure places it again (elsewhere once a rebalance moves the shard off a full node).
            LogRefused(_logger, _id, e.Message);
            _passivating = true;
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            return new StreamEntityReply(_id, _node, e.Error, e.Message);
        }

        _running = spec;
        LogStarted(_logger, _id);
        return new StreamEntityReply(_id, _node);
    }

    private async Task StopRunningAsync(string reason)
    {
        if (_running is null)
        {
            return;
        }

        _running = null;
        await _host.StopAsync(_id);
        LogStopped(_logger, _id, reason);
    }

    private async Task StopQuietlyAsync()
    {
        try
        {
            await _host.StopAsync(_id);
            LogStopped(_logger, _id, "its entity stopped");
        }
#pragma warning disable CA1031 // Nobody awaits this stop: log any failure instead of losing it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogStopFailed(_logger, _id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: stream {Id} started on this node")]
    private static partial void LogStarted(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: stream {Id} stopped on this node ({Reason})")]
    private static partial void LogStopped(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: stream {Id} refused by this node: {Message}")]
    private static partial void LogRefused(ILogger logger, string id, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster: stream {Id} did not stop cleanly: {Message}")]
    private static partial void LogStopFailed(ILogger logger, string id, string message);
}
