namespace StreamSeg.Import.Tests;

/// <summary>Finds the unpacked human-models package that holds the real TF.js models.</summary>
internal static class ModelPackage
{
    /// <summary>The models folder, or <c>null</c> when neither the environment variable nor the cache holds it.</summary>
    public static string? Directory { get; } = Find();

    /// <summary>Why the oracle tests are skipped, or <c>null</c> when <paramref name="model"/> is present.</summary>
    public static string? SkipReason(string model)
    {
        if (Directory is null)
        {
            return "TF.js models not found: set STREAMSEG_MODELS_PACKAGE or unpack human-models-3.0.4 into models/cache/human-models-3.0.4/package/models.";
        }

        return File.Exists(ModelJson(model)) ? null : $"{ModelJson(model)} is missing.";
    }

    /// <summary>The path of <c>&lt;model&gt;.json</c> in the package.</summary>
    public static string ModelJson(string model) => Path.Combine(Directory ?? string.Empty, model + ".json");

    private static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable("STREAMSEG_MODELS_PACKAGE");
        if (!string.IsNullOrEmpty(env) && System.IO.Directory.Exists(env))
        {
            return env;
        }

        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "StreamSeg.sln")))
            {
                string candidate = Path.Combine(d.FullName, "models", "cache", "human-models-3.0.4", "package", "models");
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
