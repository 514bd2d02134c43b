namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that needs the evaluation reference data (ground truth, predictions and the reference implementations'
/// expected outputs) in <c>shared/eval</c> next to the repository, or where <c>STREAMSEG_SHARED_DIR</c> points; it
/// comes from public repositories and is never copied into this one. Skipped with the reason where it is absent.
/// </summary>
public sealed class SharedEvalDataFactAttribute : FactAttribute
{
    public SharedEvalDataFactAttribute()
    {
        if (EvalDirectory is null)
        {
            Skip = "the evaluation reference data (shared/eval/coco/expected.json) is absent: set STREAMSEG_SHARED_DIR to the folder holding eval/, or place it in ../shared";
        }
    }

    /// <summary>Gets <c>shared/eval</c>: under <c>STREAMSEG_SHARED_DIR</c> if set, else the first <c>shared/eval</c> in a folder above the repository; null when none holds the COCO expectations.</summary>
    public static string? EvalDirectory { get; } = Find();

    /// <summary>Gets the path of a file in <c>shared/eval/coco</c>.</summary>
    public static string Coco(string fileName) => Path.Combine(EvalDirectory ?? throw new InvalidOperationException("No shared/eval folder."), "coco", fileName);

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("STREAMSEG_SHARED_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            string eval = Path.Combine(configured, "eval");
            return File.Exists(Path.Combine(eval, "coco", "expected.json")) ? eval : null;
        }

        for (DirectoryInfo? dir = Directory.GetParent(TestPaths.Repo); dir is not null; dir = dir.Parent)
        {
            string eval = Path.Combine(dir.FullName, "shared", "eval");
            if (File.Exists(Path.Combine(eval, "coco", "expected.json")))
            {
                return eval;
            }
        }

        return null;
    }
}
