namespace StreamSeg.Cli.Hosting;

/// <summary>The work of one command run under the host (<c>run</c>, <c>bench</c>); its result is the exit code.</summary>
internal interface ICliJob
{
    /// <summary>
    /// Does the work. <paramref name="stop"/> is cancelled by the first Ctrl+C or SIGTERM (drain and finish),
    /// <paramref name="abort"/> by the second Ctrl+C (stop at once; outputs are still finalised).
    /// </summary>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    Task<int> RunAsync(CancellationToken stop, CancellationToken abort);
}
