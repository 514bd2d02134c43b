namespace StreamSeg.Tests.Support;

/// <summary>A theory that needs the default models (as <see cref="PresetModelsFactAttribute"/>); skipped with the reason where they are absent.</summary>
public sealed class PresetModelsTheoryAttribute : TheoryAttribute
{
    public PresetModelsTheoryAttribute()
    {
        Skip = new PresetModelsFactAttribute().Skip;
    }
}
