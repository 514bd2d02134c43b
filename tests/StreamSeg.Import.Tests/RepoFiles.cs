namespace StreamSeg.Import.Tests;

/// <summary>Locates files in the repository from the test binaries (walks up to the folder holding StreamSeg.sln).</summary>
internal static class RepoFiles
{
    private static readonly Lazy<string?> s_root = new(FindRoot);

    /// <summary>Gets the repository root, or <c>null</c> when the tests run outside a checkout.</summary>
    public static string? Root => s_root.Value;

    /// <summary>Gets the path of a fixture model in <c>tests/Data/Models</c>.</summary>
    public static string FixtureModel(string fileName) =>
        Path.Combine(Root ?? throw new DirectoryNotFoundException($"No folder above '{AppContext.BaseDirectory}' contains StreamSeg.sln."), "tests", "Data", "Models", fileName);

    /// <summary>Gets the path of an imported model in <c>models/</c> (fetched by <c>streamseg models fetch</c>, absent in a bare checkout).</summary>
    public static string ImportedModel(string fileName) => Path.Combine(Root ?? string.Empty, "models", fileName);

    private static string? FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "StreamSeg.sln")))
            {
                return d.FullName;
            }
        }

        return null;
    }
}
