using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Web;

/// <summary>
/// A fact that needs a Chromium browser, Debian's sample video and the default models of the people preset; where
/// any is missing it is skipped with the reason printed.
/// </summary>
public sealed class ChromiumPresetFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the browser, the video or a model is missing.</summary>
    public ChromiumPresetFactAttribute()
    {
        Skip = new ChromiumVideoFactAttribute().Skip ?? new PresetModelsFactAttribute().Skip;
    }
}
