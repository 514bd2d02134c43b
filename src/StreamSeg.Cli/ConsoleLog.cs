using StreamSeg.Capture;

namespace StreamSeg.Cli;

/// <summary>Log lines on standard error, with credentials removed from any URL in them.</summary>
internal sealed class ConsoleLog
{
    private readonly bool _verbose;
    private readonly Lock _lock = new();

    public ConsoleLog(bool verbose)
    {
        _verbose = verbose;
    }

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    public void Debug(string message)
    {
        if (_verbose)
        {
            Write("debug", message);
        }
    }

    public void Error(string message) => Write("error", message);

    private void Write(string level, string message)
    {
        lock (_lock)
        {
            ProgressReporter.ClearLine();
            Console.Error.WriteLine($"streamseg: {level}: {UrlRedactor.Redact(message)}");
        }
    }
}
