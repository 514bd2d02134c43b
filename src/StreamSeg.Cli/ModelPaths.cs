namespace StreamSeg.Cli;

/// <summary>Where models are: the default models folder and the resolution of a model argument (a file or a bare name).</summary>
internal static class ModelPaths
{
    /// <summary>Gets the default models folder: $STREAMSEG_MODELS, else ./models.</summary>
    public static string DefaultModelsDirectory => Environment.GetEnvironmentVariable("STREAMSEG_MODELS") is { Length: > 0 } d ? d : "models";

    /// <summary>
    /// Resolves a model argument: an existing file as given, else a bare name (no folder, no extension) as
    /// <c>&lt;models-dir&gt;/&lt;name&gt;.onnx</c>, where <c>streamseg models fetch</c> and the people preset keep them.
    /// </summary>
    public static string Resolve(string model, string modelsDir)
    {
        if (File.Exists(model))
        {
            return model;
        }

        bool bareName = model.IndexOfAny(['/', '\\']) < 0 && !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        string named = Path.Combine(modelsDir, model + ".onnx");
        if (bareName && File.Exists(named))
        {
            return named;
        }

        throw new ModelLoadException(bareName
            ? $"Model '{model}': not found (neither a file nor '{named}'; 'streamseg models fetch' puts the default models in {modelsDir}/)."
            : $"Model '{model}': file not found (expected an .onnx file, or the name of one in {modelsDir}/).");
    }
}
