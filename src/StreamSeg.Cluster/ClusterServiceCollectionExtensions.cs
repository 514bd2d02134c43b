using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.DistributedData;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSeg.Cluster.Messages;
using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>Registers a StreamSeg cluster node on a Generic Host.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Akka.NET actor system of a cluster node: remoting on <see cref="ClusterNodeOptions.Host"/>:<see cref="ClusterNodeOptions.Port"/>,
    /// clustering with <see cref="ClusterNodeOptions.Seeds"/> and a keep-majority split-brain resolver, one sharded
    /// entity per stream (remember-entities in distributed data) over the registered <see cref="IStreamHost"/>, the
    /// reconciler singleton, Akka's logging through the host's <see cref="ILoggerFactory"/>, and <see cref="ClusterStreams"/>.
    /// </summary>
    /// <remarks>
    /// Register the <see cref="IStreamHost"/> (and the hosted service that runs the pipeline) before calling this: hosted
    /// services stop in reverse order, so the actor system's coordinated shutdown (which hands this node's streams to
    /// the others, stopping each through <see cref="IStreamHost.StopAsync"/>) runs while the pipeline still runs.
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The node's cluster options.</param>
    /// <param name="configure">More Akka configuration (Akka.Management, discovery …), applied last.</param>
    public static IServiceCollection AddStreamSegCluster(
        this IServiceCollection services,
        ClusterNodeOptions options,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddAkka(options.SystemName, (builder, provider) =>
        {
            IStreamHost host = provider.GetRequiredService<IStreamHost>();
            ILoggerFactory loggerFactory = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            Configure(builder, options, host, loggerFactory);
            configure?.Invoke(builder, provider);
        });
        services.AddSingleton(provider => new ClusterStreams(
            provider.GetRequiredService<ActorSystem>(),
            provider.GetRequiredService<ActorRegistry>(),
            options));
        return services;
    }

    private static void Configure(AkkaConfigurationBuilder builder, ClusterNodeOptions options, IStreamHost host, ILoggerFactory loggerFactory)
    {
        builder
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory(loggerFactory);
            })
            .AddHocon(ClusterHocon.Build(options), HoconAddMode.Prepend)
            .WithRemoting(options.Host, options.Port)
            .WithClustering(new ClusterOptions
            {
                Roles = [.. options.Roles, NodeCapacity.Role(host.MaxStreams)],
                SeedNodes = options.Seeds.Select(seed => $"akka.tcp://{options.SystemName}@{seed}").ToArray(),
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithActors((system, registry) =>
            {
                if (options.Seeds.Count == 0 && options.JoinSelfWithoutSeeds && options.Bootstrap is null)
                {
                    // No seeds: this node starts a cluster of its own (its port may be one the OS picked).
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                }

                // The desired streams' replicator starts on first use; every node must run one from the start, or
                // the reconciler's majority writes find no replica on the nodes that have not used it yet.
                _ = DistributedData.Get(system);

                IActorRef region = ClusterSharding.Get(system).Start(
                    StreamEntity.TypeName,
                    id => StreamEntity.Props(id, host, loggerFactory.CreateLogger<StreamEntity>()),
                    ClusterShardingSettings.Create(system),
                    StreamMessageExtractor.Instance,
                    new CapacityShardAllocationStrategy(system),
                    StreamHandOff.Instance);
                registry.Register<StreamEntity>(region);
            })
            .WithSingleton<StreamReconciler>(
                "stream-reconciler",
                (system, registry, resolver) => StreamReconciler.Props(
                    registry.Get<StreamEntity>(),
                    options.ReconcileInterval,
                    options.RequestTimeout,
                    loggerFactory.CreateLogger<StreamReconciler>()),
                new ClusterSingletonOptions(),
                createProxyToo: true);
        if (options.Bootstrap is { } bootstrap)
        {
            AddBootstrap(builder, options, bootstrap, loggerFactory);
        }
    }

    private static void AddBootstrap(AkkaConfigurationBuilder builder, ClusterNodeOptions options, ClusterBootstrapSettings bootstrap, ILoggerFactory loggerFactory)
    {
        string serviceName = bootstrap.ServiceName ?? options.SystemName;
        switch (bootstrap.Discovery)
        {
            case BootstrapDiscovery.Kubernetes:
                // Pods labelled app=<service name> in this pod's namespace (read from the service-account mount).
                builder.WithKubernetesDiscovery(new KubernetesDiscoveryOptions());
                break;
            case BootstrapDiscovery.Config:
                builder.AddHocon(ClusterHocon.ConfigDiscovery(serviceName, bootstrap.Endpoints), HoconAddMode.Prepend);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(bootstrap), bootstrap.Discovery, "unknown discovery method");
        }

        builder.AddStartup((system, _) => new DiscoverySeeder(system, bootstrap, serviceName, loggerFactory.CreateLogger<DiscoverySeeder>()).Start());
    }
}
