using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamSeg.Serving;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests.Support;

/// <summary>One cluster node in this test process: a Generic Host with the cluster registered over a <see cref="FakeStreamHost"/>.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private TestNode(string name, IHost host, FakeStreamHost streams)
    {
        Name = name;
        _host = host;
        Streams = streams;
    }

    public string Name { get; }

    /// <summary>Gets whether the node was killed or stopped.</summary>
    public bool IsDown => _stopped;

    public FakeStreamHost Streams { get; }

    public ClusterStreams Cluster => _host.Services.GetRequiredService<ClusterStreams>();

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public ActorRegistry Registry => _host.Services.GetRequiredService<ActorRegistry>();

    public string Address => Cluster.SelfAddress;

    public static async Task<TestNode> StartAsync(string name, int port, IReadOnlyList<int> seedPorts, int maxStreams, ITestOutputHelper output)
    {
        ClusterNodeOptions options = new ClusterNodeOptions
        {
            Port = port,
            Seeds = seedPorts.Select(p => $"127.0.0.1:{p}").ToArray(),
        }.ForLoopbackTests();
        return await StartAsync(name, options, maxStreams, output);
    }

    /// <summary>Starts a node with the given options (e.g. cluster bootstrap instead of seeds); returns once its host has started, not once it is up.</summary>
    public static async Task<TestNode> StartAsync(string name, ClusterNodeOptions options, int maxStreams, ITestOutputHelper output)
    {
        var streams = new FakeStreamHost(name, maxStreams);
        IHost host = new HostBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(output, name)).SetMinimumLevel(LogLevel.Information))
            .ConfigureServices(services =>
            {
                services.AddSingleton<IStreamHost>(streams);
                services.AddStreamSegCluster(options, static (builder, _) =>
                    // Terminating the actor system then leaves nothing behind gracefully: the closest to kill -9 here.
                    builder.AddHocon("akka.coordinated-shutdown.run-by-actor-system-terminate = off", HoconAddMode.Prepend));
            })
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return new TestNode(name, host, streams);
    }

    /// <summary>
    /// Kills the node abruptly: its streams end now (as with kill -9), and its actor system terminates without leaving
    /// the cluster, so the others see it unreachable and the split-brain resolver must down it.
    /// </summary>
    public async Task<DateTime> KillAsync()
    {
        DateTime killedAt = Streams.Kill();
        _stopped = true;
        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        return killedAt;
    }

    /// <summary>Stops the host as SIGTERM does: coordinated shutdown hands the node's streams over, then it leaves.</summary>
    public async Task StopGracefullyAsync()
    {
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _host.Dispose();
    }
}
