using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli.Hosting;

/// <summary>
/// The host's lifetime in place of <c>ConsoleLifetime</c>: the first Ctrl+C (SIGINT) says so and stops the host,
/// which drains the pipeline and finalises every output; a second one cancels <see cref="InterruptState.AbortToken"/>
/// (stop at once, outputs still finalised). SIGTERM is a first Ctrl+C, without the note. The exit code says which came
/// first: 130 for SIGINT, 143 for SIGTERM (<see cref="InterruptState.ExitCode"/>), as a shell reports a process the
/// signal killed and as process supervisors expect.
/// Before a pipeline runs (<see cref="InterruptState.Handles"/>), a signal keeps its default action and ends the process.
/// </summary>
/// <remarks>
/// ConsoleLifetime treats every signal as a stop and prints its own start-up lines; a run needs the second Ctrl+C to
/// mean more than the first, and the signals to stay handled until the drain is over (the host stops its hosted
/// services before it stops the lifetime, so the registrations here live until <see cref="Dispose"/>).
/// </remarks>
internal sealed partial class InterruptLifetime : IHostLifetime, IDisposable
{
    private readonly IHostApplicationLifetime _application;
    private readonly InterruptState _state;
    private readonly ILogger<InterruptLifetime> _logger;
    private PosixSignalRegistration? _sigint;
    private PosixSignalRegistration? _sigterm;

    /// <summary>Creates the lifetime.</summary>
    public InterruptLifetime(IHostApplicationLifetime application, InterruptState state, ILogger<InterruptLifetime> logger)
    {
        _application = application;
        _state = state;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose()
    {
        _sigint?.Dispose();
        _sigterm?.Dispose();
    }

    private void OnInterrupt(PosixSignalContext context)
    {
        if (!_state.Handles)
        {
            return;
        }

        context.Cancel = true;
        if (_state.Count() == 1)
        {
            _state.Stop();
            LogDraining(_logger);
            _application.StopApplication();
        }
        else
        {
            _state.Abort();
        }
    }

    private void OnTerminate(PosixSignalContext context)
    {
        if (!_state.Handles)
        {
            return;
        }

        context.Cancel = true;
        _state.Count(terminate: true);
        _state.Stop();
        _application.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "interrupted: draining the pipeline and finalising outputs (Ctrl+C again to stop at once)")]
    private static partial void LogDraining(ILogger logger);
}
