namespace StreamSeg.Tests.Support;

/// <summary>A fact that needs Debian's <c>mosquitto</c> broker and <c>mosquitto_sub</c>; skipped with the reason where they are absent.</summary>
public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (Find("mosquitto") is null || Find("mosquitto_sub") is null)
        {
            Skip = "mosquitto or mosquitto_sub is not installed: apt-get install mosquitto mosquitto-clients ('./run.sh test' installs them)";
        }
    }

    /// <summary>Gets the full path of <paramref name="program"/> on PATH or in the sbin folders (the broker lives in /usr/sbin), or null.</summary>
    public static string? Find(string program)
    {
        string[] folders = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/sbin", "/usr/local/sbin", "/sbin"];
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
