namespace StreamSeg.Tests.Support;

/// <summary>A fact that runs only where a Chromium browser is installed (Debian's <c>chromium</c>); elsewhere it is skipped with the reason printed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Path is null)
        {
            Skip = "no Chromium here (looked for $STREAMSEG_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): install it with 'apt-get install -y chromium' to run the browser tests";
        }
    }

    /// <summary>Gets the browser's path, or null when none is installed.</summary>
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("STREAMSEG_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
        foreach (string? candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
