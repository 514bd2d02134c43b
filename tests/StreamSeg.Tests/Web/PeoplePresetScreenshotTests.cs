using System.Diagnostics;
using System.Text;
using OpenCvSharp;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Web;

/// <summary>The web view of a real run: the people preset (MoveNet MultiPose + RVM) on vtest.avi, in headless Chromium.</summary>
public class PeoplePresetScreenshotTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(240); // the models on a loaded CPU

    /// <summary>
    /// The page shows the run's own masks, skeletons and track ids with its live figures; with STREAMSEG_WRITE_DOCS=1
    /// the screenshot becomes README's docs/web-view.png.
    /// </summary>
    [ChromiumPresetFact]
    public async Task PeoplePreset_OnVtest_PageShowsTheModelsOutput()
    {
        int port = Ports.Free();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        // The file as it is (lossless: every frame reaches the models and the tracker), not looped as a live source:
        // on a slow CPU that drops most frames, and a screenshot taken that way showed no tracked person at all.
        using Process run = CliRunner.Start(
            ["run", "--source", TestPaths.SampleVideo, "--device", "cpu", "--max-frames", "400", "--http", $"127.0.0.1:{port}"],
            stdout,
            stderr);
        try
        {
            // The web view listens once the models are loaded: far longer than Readiness's 30 s on a loaded machine.
            Assert.True(Readiness.PollUntil(() => run.HasExited || Ports.Accepts(port), s_wait), "the web view never listened: " + stderr);
            Assert.False(run.HasExited, "the run ended before its web view listened: " + stderr);
            await using ChromiumPage browser = await ChromiumPage.OpenAsync(new Uri($"http://127.0.0.1:{port}/"), 820, 800);
            bool shown = await browser.WaitForAsync(
                "Number(document.getElementById('frames-0')?.textContent) >= 30 && Number(document.body.dataset.polls) >= 4"
                + " && document.getElementById('provider').textContent === 'CPU' && Number(document.querySelector('[data-field=\"tracks\"]')?.textContent) >= 3",
                s_wait);
            Assert.True(shown, "the page never showed 30 frames with 3 tracked people: " + stderr);
            byte[] png = await browser.ScreenshotAsync();

            using Mat shot = Cv2.ImDecode(png, ImreadModes.Color);
            Assert.Equal(820, shot.Width);
            Cv2.MeanStdDev(shot, out _, out Scalar spread);
            Assert.True(spread.Val0 > 20, "the screenshot looks blank");
            Assert.Contains("preset people: movenet-multipose + rvm", stderr.ToString(), StringComparison.Ordinal);
            if (Environment.GetEnvironmentVariable("STREAMSEG_WRITE_DOCS") == "1")
            {
                // Smallest lossless form OpenCV writes; README shows it as is.
                Cv2.ImWrite(Path.Combine(TestPaths.Repo, "docs", "web-view.png"), shot, new ImageEncodingParam(ImwriteFlags.PngCompression, 9));
            }
        }
        finally
        {
            ChildProcess.Stop(run);
        }
    }
}
