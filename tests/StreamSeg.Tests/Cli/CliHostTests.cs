using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSeg.Cli;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;

namespace StreamSeg.Tests.Cli;

/// <summary>The host a command runs under: the job's result is the exit code, a failure maps to its code, and a stop reaches the job as its stop token.</summary>
public class CliHostTests
{
    private sealed class Job(Func<CancellationToken, Task<int>> work) : ICliJob
    {
        public Task<int> RunAsync(CancellationToken stop, CancellationToken abort) => work(stop);
    }

    private static Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> work)
    {
        HostApplicationBuilder builder = CliHost.CreateBuilder(LogSettings.Default);
        builder.Services.AddSingleton<ICliJob>(sp => new Job(stop => work(sp, stop)));
        builder.Services.AddSingleton<JobOutcome>();
        builder.Services.AddHostedService<JobService>();
        return CliHost.RunJobAsync(builder);
    }

    [Fact]
    public async Task JobResult_IsTheExitCode_AndEndsTheHost()
    {
        Task<int> run = RunAsync((_, _) => Task.FromResult(ExitCodes.Interrupted));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Equal(130, await run);
    }

    [Theory]
    [InlineData(false, false, 130)]
    [InlineData(true, false, 143)]
    [InlineData(true, true, 143)] // a Ctrl+C after the SIGTERM (to stop the drain at once) does not change it
    [InlineData(false, true, 130)]
    public async Task InterruptedJob_ExitCodeSaysWhichSignalCameFirst(bool sigterm, bool thenSigint, int expected)
    {
        int code = await RunAsync((services, _) =>
        {
            InterruptState state = services.GetRequiredService<InterruptState>();
            if (sigterm)
            {
                state.Count(terminate: true);
            }

            if (thenSigint || !sigterm)
            {
                state.Count();
            }

            return Task.FromResult(ExitCodes.Interrupted);
        });
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(typeof(ConfigException), 2)]
    [InlineData(typeof(ModelLoadException), 4)]
    [InlineData(typeof(OutputException), 5)]
    [InlineData(typeof(InvalidOperationException), 1)]
    public async Task JobFailure_MapsToItsExitCode(Type exception, int code)
    {
        var ex = (Exception)Activator.CreateInstance(exception, "it failed")!;
        Assert.Equal(code, await RunAsync((_, _) => Task.FromException<int>(ex)));
    }

    [Fact]
    public async Task HostStop_ReachesTheJobAsItsStopToken()
    {
        // What the first Ctrl+C does (InterruptLifetime stops the application): the job drains and returns.
        int code = await RunAsync(async (services, stop) =>
        {
            services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await Task.Delay(Timeout.Infinite, stop).ContinueWith(static _ => { }, TaskScheduler.Default);
            return stop.IsCancellationRequested ? 42 : 0;
        });
        Assert.Equal(42, code);
    }

    [Fact]
    public void Signals_DrainOnlyWhileAPipelineRuns_OrOnceADrainHasBegun()
    {
        using var state = new InterruptState();
        Assert.False(state.Handles); // loading models: Ctrl+C ends the process, as it always has
        using (state.EnterPipeline())
        {
            Assert.True(state.Handles);
        }

        Assert.False(state.Handles);
        Assert.Equal(1, state.Count());
        Assert.True(state.Handles && state.Interrupted); // draining: a further Ctrl+C aborts, it does not kill
        Assert.False(state.AbortToken.IsCancellationRequested);
        state.Abort();
        Assert.True(state.AbortToken.IsCancellationRequested);
    }
}
