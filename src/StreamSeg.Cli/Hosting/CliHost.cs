using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSeg.Cli.Logging;
using StreamSeg.Cli.Run;

namespace StreamSeg.Cli.Hosting;

/// <summary>
/// The .NET Generic Host every long-running command shares: logging on standard error, the signal handling of
/// <see cref="InterruptLifetime"/>, no shutdown timeout (a drain finalises outputs however long it takes), and the run's
/// composition services (models, sources, sinks, pipeline), which a long-running service reuses as they are.
/// </summary>
internal static class CliHost
{
    /// <summary>Creates a host builder with the shared services; add the command's own (e.g. <see cref="AddJob{TJob}"/>) and build.</summary>
    public static HostApplicationBuilder CreateBuilder(LogSettings logSettings)
    {
        // Empty: no appsettings.json, environment or command-line configuration sources; System.CommandLine and the
        // YAML config are the only inputs, bound once by RunOptionBinder.
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "streamseg" });
        builder.Logging.AddStreamSegConsole(logSettings);
        IServiceCollection services = builder.Services;
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = Timeout.InfiniteTimeSpan;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        services.AddSingleton(logSettings);
        services.AddSingleton<InterruptState>();
        services.AddSingleton<IHostLifetime, InterruptLifetime>();
        services.AddSingleton<ModelLoader>();
        services.AddSingleton<SourceBuilder>();
        services.AddSingleton<SinkFactory>();
        services.AddSingleton<PipelineSession>();
        services.AddSingleton(new SummaryPrinter(Console.Out));
        return builder;
    }

    /// <summary>Registers <typeparamref name="TJob"/> as the work the host runs (<see cref="JobService"/>) and whose result is the exit code.</summary>
    public static HostApplicationBuilder AddJob<TJob>(this HostApplicationBuilder builder)
        where TJob : class, ICliJob
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<JobOutcome>();
        builder.Services.AddSingleton<ICliJob, TJob>();
        builder.Services.AddHostedService<JobService>();
        return builder;
    }

    /// <summary>Builds and runs the host until its job ends (or the signals end it) and returns the job's exit code.</summary>
    public static async Task<int> RunJobAsync(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IHost host = builder.Build();
        JobOutcome outcome = host.Services.GetRequiredService<JobOutcome>();

        // RunAsync disposes the host: the logger's queue is flushed before the exit code is returned.
        await host.RunAsync().ConfigureAwait(false);
        return outcome.ExitCode;
    }
}
