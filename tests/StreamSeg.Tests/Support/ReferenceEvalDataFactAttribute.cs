namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that needs the evaluation reference data (inputs and the reference tools' expected outputs, from public
/// repositories; never copied into this repository): the folder named by <c>STREAMSEG_EVAL_DATA</c>, else
/// <c>shared/eval</c> in the repository's parent folder (or the nearest folder above it that has one, so a git worktree
/// finds it too). Skipped with the reason where the file it names is absent.
/// </summary>
public sealed class ReferenceEvalDataFactAttribute : FactAttribute
{
    /// <summary>Initialises the attribute; <paramref name="relativePath"/> is the file the test reads, under the data folder.</summary>
    public ReferenceEvalDataFactAttribute(string relativePath)
    {
        if (!File.Exists(Path.Combine(Root, relativePath)))
        {
            Skip = $"evaluation reference data absent: {Path.Combine(Root, relativePath)} not found (set STREAMSEG_EVAL_DATA to the folder holding panoptic/ and mot/)";
        }
    }

    /// <summary>Gets the reference data folder.</summary>
    public static string Root => Environment.GetEnvironmentVariable("STREAMSEG_EVAL_DATA") is { Length: > 0 } dir ? dir : FindShared();

    /// <summary>Gets the full path of <paramref name="relativePath"/> under <see cref="Root"/>.</summary>
    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindShared()
    {
        string first = Path.GetFullPath(Path.Combine(TestPaths.Repo, "..", "shared", "eval"));
        for (DirectoryInfo? d = Directory.GetParent(TestPaths.Repo); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "eval");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return first;
    }
}
