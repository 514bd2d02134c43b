using StreamSeg.Cli.Hosting;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.Run;

/// <summary><c>streamseg run</c> under the host: one <see cref="PipelineSession"/> run, its summary, and 130 when a signal interrupted it.</summary>
internal sealed class RunJob : ICliJob
{
    private readonly RunConfig _config;
    private readonly PipelineSession _session;
    private readonly SummaryPrinter _summary;
    private readonly InterruptState _interrupts;

    /// <summary>Creates the job for <paramref name="config"/>.</summary>
    public RunJob(RunConfig config, PipelineSession session, SummaryPrinter summary, InterruptState interrupts)
    {
        _config = config;
        _session = session;
        _summary = summary;
        _interrupts = interrupts;
    }

    /// <inheritdoc/>
    public async Task<int> RunAsync(CancellationToken stop, CancellationToken abort)
    {
        PipelineRun run = await _session.RunAsync(_config, stop, abort).ConfigureAwait(false);
        _summary.Print(run, _config);
        return _interrupts.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }
}
