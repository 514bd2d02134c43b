namespace StreamSeg.Cli;

/// <summary>The process exit codes, documented in README.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int SourceError = 3;
    public const int ModelError = 4;
    public const int OutputError = 5;
    /// <summary>Ended by SIGINT (Ctrl+C): 128 + 2, as a shell reports a process killed by it.</summary>
    public const int Interrupted = 130;

    /// <summary>Ended by SIGTERM (a supervisor's stop): 128 + 15, what process supervisors expect.</summary>
    public const int Terminated = 143;
}
