namespace StreamSeg.Tests;

/// <summary>The repository root, found by walking up from the test binaries to StreamSeg.sln.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(System.IO.Path.Combine(dir, "StreamSeg.sln")))
            {
                return dir;
            }

            dir = System.IO.Path.GetDirectoryName(dir);
        }

        throw new DirectoryNotFoundException("StreamSeg.sln not found above " + AppContext.BaseDirectory);
    }
}
