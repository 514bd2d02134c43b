namespace StreamSeg.Tests.Support;

/// <summary>
/// Locates the outputs of the original ByteTrack implementation: the folder named by
/// <c>STREAMSEG_BYTETRACK_REFERENCE</c>, else <c>shared/tracking/bytetrack-reference</c> in the repository's parent
/// (<c>../shared</c>) or, for a worktree kept one level deeper, the nearest folder above that has one. The data comes
/// from a public repository and is never copied into this one.
/// </summary>
public static class ByteTrackReference
{
    /// <summary>The environment variable that names the reference folder.</summary>
    public const string EnvironmentVariable = "STREAMSEG_BYTETRACK_REFERENCE";

    /// <summary>The reference sequences, by file name.</summary>
    public static readonly string[] Sequences = ["occlusion.json", "low-score.json", "one-frame.json", "vtest-track_thresh-0.25.json"];

    /// <summary>Gets the reference folder (see the type's summary); <c>../shared/tracking/bytetrack-reference</c> when none is found.</summary>
    public static string Directory => s_directory.Value;

    private static readonly Lazy<string> s_directory = new(Find);

    /// <summary>Gets the path of one sequence.</summary>
    public static string File(string name) => Path.Combine(Directory, name);

    /// <summary>Gets why the reference cannot be used, or null when every sequence is there.</summary>
    public static string? MissingReason()
    {
        foreach (string name in Sequences)
        {
            if (!System.IO.File.Exists(File(name)))
            {
                return $"the ByteTrack reference outputs are absent ({File(name)} not found): put ifzhang/ByteTrack's reference sequences in ../shared/tracking/bytetrack-reference or set {EnvironmentVariable}";
            }
        }

        return null;
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir)
        {
            return dir;
        }

        string relative = Path.Combine("shared", "tracking", "bytetrack-reference");
        for (DirectoryInfo? up = new DirectoryInfo(TestPaths.Repo).Parent; up is not null; up = up.Parent)
        {
            string candidate = Path.Combine(up.FullName, relative);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine(TestPaths.Repo, "..", relative));
    }
}
