namespace StreamSeg.Sinks;

/// <summary>Checks, when a sink is built, that its output file can be written, so that a bad path fails before the run starts.</summary>
internal static class OutputPaths
{
    /// <summary>
    /// Returns the full path of <paramref name="path"/> after creating its directory if missing and proving that a
    /// file can be created there; otherwise throws an <see cref="IOException"/> naming the path.
    /// </summary>
    public static string EnsureWritableFile(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new IOException($"Cannot write {what} '{path}': the path is not valid ({ex.Message}).", ex);
        }

        if (Directory.Exists(full))
        {
            throw new IOException($"Cannot write {what} '{full}': it is a directory.");
        }

        string directory = Path.GetDirectoryName(full) ?? full;
        try
        {
            Directory.CreateDirectory(directory);
            // A probe file proves write permission on the directory (and a writable file system) without touching the output itself.
            string probe = Path.Combine(directory, $".streamseg-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"Cannot write {what} '{full}': directory '{directory}' is not writable ({ex.Message}).", ex);
        }

        return full;
    }
}
