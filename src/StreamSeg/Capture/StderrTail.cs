namespace StreamSeg.Capture;

/// <summary>The last lines a child process wrote to standard error (fed from its reader thread), for error messages.</summary>
internal sealed class StderrTail
{
    private const int Keep = 20;
    private readonly Queue<string> _lines = new();

    /// <summary>Keeps <paramref name="line"/> (blank lines are dropped), forgetting the oldest beyond 20.</summary>
    public void Add(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Keep)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>Forgets every line (a new child starts).</summary>
    public void Clear()
    {
        lock (_lines)
        {
            _lines.Clear();
        }
    }

    /// <summary>Returns the last line as <c>" (line)"</c>, or an empty string when there is none.</summary>
    public string LastAsSuffix()
    {
        lock (_lines)
        {
            return _lines.Count == 0 ? string.Empty : $" ({_lines.Last()})";
        }
    }
}
