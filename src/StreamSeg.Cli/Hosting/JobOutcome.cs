namespace StreamSeg.Cli.Hosting;

/// <summary>The exit code of the host's job, read by the command once the host has stopped.</summary>
internal sealed class JobOutcome
{
    /// <summary>Gets or sets the exit code; <see cref="ExitCodes.Failure"/> until the job sets it.</summary>
    public int ExitCode { get; set; } = ExitCodes.Failure;
}
