namespace StreamSeg.Tests;

/// <summary>Locates the repository and its test data from the test binaries (walks up to the folder holding StreamSeg.sln).</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repo = new(FindRepo);

    /// <summary>Gets the repository root (the folder containing StreamSeg.sln).</summary>
    public static string Repo => s_repo.Value;

    /// <summary>Gets <c>tests/Data</c>.</summary>
    public static string Data => Path.Combine(Repo, "tests", "Data");

    /// <summary>Gets Debian's sample video of pedestrians (package opencv-doc, installed by <c>./run.sh test</c>).</summary>
    public static string SampleVideo => "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    /// <summary>Gets the path of a fixture model or expectation in <c>tests/Data/Models</c>.</summary>
    public static string Model(string fileName) => Path.Combine(Data, "Models", fileName);

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamSeg.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above '{AppContext.BaseDirectory}' contains StreamSeg.sln.");
    }
}
