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
    public const int Interrupted = 130;
}
