using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli.Hosting;

/// <summary>
/// Runs the command's <see cref="ICliJob"/> as the host's background service: its stop token is the host's stopping
/// token (first Ctrl+C), its abort token the second Ctrl+C's; when it ends, it stops the host. A failure becomes its
/// exit code and one <c>streamseg: error:</c> line (the stack trace with <c>--verbose</c>).
/// </summary>
internal sealed partial class JobService : BackgroundService
{
    private readonly ICliJob _job;
    private readonly InterruptState _interrupts;
    private readonly JobOutcome _outcome;
    private readonly IHostApplicationLifetime _application;
    private readonly ILogger<JobService> _logger;

    /// <summary>Creates the service.</summary>
    public JobService(ICliJob job, InterruptState interrupts, JobOutcome outcome, IHostApplicationLifetime application, ILogger<JobService> logger)
    {
        _job = job;
        _interrupts = interrupts;
        _outcome = outcome;
        _application = application;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The host's stop (StopApplication) or the signal's own, whichever comes first.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _interrupts.StopToken);
        try
        {
            int code = await _job.RunAsync(stop.Token, _interrupts.AbortToken).ConfigureAwait(false);

            // Jobs say "interrupted" (130); which signal it was is the lifetime's to know: SIGTERM makes it 143.
            _outcome.ExitCode = code == ExitCodes.Interrupted ? _interrupts.ExitCode : code;
        }
        catch (Exception ex)
        {
            (int code, string message) = CliErrors.Describe(ex);
            LogFailed(_logger, message, ex);
            _outcome.ExitCode = code;
        }
        finally
        {
            _application.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogFailed(ILogger logger, string message, Exception exception);
}
