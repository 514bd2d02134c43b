using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Web;

/// <summary>
/// A fact that needs both a Chromium browser and Debian's sample video (<see cref="TestPaths.SampleVideo"/>, package
/// opencv-doc); where either is missing it is skipped with the reason printed, instead of passing without running.
/// </summary>
public sealed class ChromiumVideoFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the browser or the video is missing.</summary>
    public ChromiumVideoFactAttribute()
    {
        if (ChromiumFactAttribute.Path is null)
        {
            Skip = new ChromiumFactAttribute().Skip;
        }
        else if (!File.Exists(TestPaths.SampleVideo))
        {
            Skip = $"{TestPaths.SampleVideo} is missing: install it with 'apt-get install -y opencv-doc' (./run.sh test does) to run this test";
        }
    }
}
