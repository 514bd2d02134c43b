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
            Skip = $"evaluation reference data absent: {Path.Combine(Root, relativePath)} not found (set STREAMSEG_SHARED_DIR to the folder holding eval/, or STREAMSEG_EVAL_DATA to the eval/ folder itself)";
        }
    }

    /// <summary>Gets the reference data folder.</summary>
    public static string Root => Environment.GetEnvironmentVariable("STREAMSEG_EVAL_DATA") is { Length: > 0 } dir ? dir : FindShared();

    /// <summary>Gets the full path of <paramref name="relativePath"/> under <see cref="Root"/>.</summary>
    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    // One lookup for the shared evaluation data (STREAMSEG_SHARED_DIR, else the nearest shared/eval above the
    // repository): SharedEvalDataFactAttribute's.
    private static string FindShared() =>
        SharedEvalDataFactAttribute.EvalDirectory ?? Path.GetFullPath(Environment.GetEnvironmentVariable("STREAMSEG_SHARED_DIR") is { Length: > 0 } shared
            ? Path.Combine(shared, "eval")
            : Path.Combine(TestPaths.Repo, "..", "shared", "eval"));
}
