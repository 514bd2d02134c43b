namespace StreamSeg.Cli.Run;

/// <summary>Checks output paths before anything slow happens, so that a typo in a path fails at once.</summary>
internal static class OutputPaths
{
    /// <summary>Throws <see cref="OutputException"/> naming <paramref name="option"/> when <paramref name="path"/> (if any) cannot be written.</summary>
    public static void CheckWritable(string? path, string option)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            string full = Path.GetFullPath(path);
            string? dir = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            // Opening for append neither truncates an existing file nor leaves a new one behind.
            bool existed = File.Exists(full);
            using (new FileStream(full, FileMode.Append, FileAccess.Write))
            {
            }

            if (!existed)
            {
                File.Delete(full);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OutputException($"Output '{path}' ({option}) is not writable: {ex.Message} (expected a path in a writable folder).", ex);
        }
    }
}
