namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that needs the default models (MoveNet MultiPose, RVM, CenterNet imported into models/ by
/// 'streamseg models fetch', which './run.sh test' runs first); skipped with the reason where they are absent.
/// </summary>
public sealed class PresetModelsFactAttribute : FactAttribute
{
    public PresetModelsFactAttribute()
    {
        foreach (string name in new[] { "movenet-multipose", "rvm", "centernet" })
        {
            if (!File.Exists(Path.Combine(ModelsDirectory, name + ".onnx")))
            {
                Skip = $"models/{name}.onnx is absent: run './run.sh test' (it fetches the default models) or 'streamseg models fetch'";
                return;
            }
        }
    }

    public static string ModelsDirectory => Path.Combine(TestPaths.Repo, "models");
}
