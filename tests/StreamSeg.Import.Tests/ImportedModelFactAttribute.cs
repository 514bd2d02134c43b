namespace StreamSeg.Import.Tests;

/// <summary>A fact that is skipped, with the reason, when an imported model in <c>models/</c> is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImportedModelFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute for <paramref name="fileName"/> (e.g. <c>rvm.onnx</c>).</summary>
    public ImportedModelFactAttribute(string fileName)
    {
        if (!File.Exists(RepoFiles.ImportedModel(fileName)))
        {
            Skip = $"models/{fileName} is absent: run 'streamseg models fetch' (or './run.sh test') to import it.";
        }
    }
}
