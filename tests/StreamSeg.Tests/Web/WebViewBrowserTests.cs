using System.Text.Json;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Overlay;
using StreamSeg.Tests.Support;
using StreamSeg.Web;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Web;

/// <summary>The page in a real headless Chromium (Debian's, through PuppeteerSharp) while frames are fed.</summary>
/// <remarks>
/// <c>--dump-dom</c> with <c>--virtual-time-budget</c> was tried first: it fills the figures, but virtual time races
/// ahead of the real frames and, with a plain <c>&lt;img src=…/mjpeg&gt;</c>, Chromium fires <c>load</c> only for the
/// first multipart part, so the frame counter stayed at 1 while 60 JPEGs were sent. The page therefore reads the
/// MJPEG stream with <c>fetch</c> and counts parts itself, and these tests wait in real time over the DevTools protocol.
/// </remarks>
[Collection(nameof(WebViewBrowserTests))]
public class WebViewBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [ChromiumFact]
    public async Task Page_WhileFramesArrive_ShowsVideoAndFiguresOfEveryStream()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        web.StartFeeding(TimeSpan.FromMilliseconds(40), sources: 2);
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(web.Server.BaseAddress!);

        bool shown = await browser.WaitForAsync(
            "Number(document.getElementById('frames-0')?.textContent) >= 10 && Number(document.getElementById('frames-1')?.textContent) >= 10 && Number(document.body.dataset.polls) >= 2",
            s_wait);
        JsonElement state = await browser.EvaluateAsync("""
            ({
              frames0: Number(document.getElementById('frames-0')?.textContent),
              received0: Number(document.getElementById('video-0')?.dataset.frames),
              width0: document.getElementById('video-0')?.naturalWidth,
              provider: document.getElementById('provider').textContent,
              fps: document.getElementById('fps').textContent,
              latency: document.getElementById('latency').textContent,
              dropped: document.getElementById('dropped').textContent,
              title1: document.querySelector('#stream-1 .title').textContent,
              health: document.querySelector('#stream-0 [data-field="health"]').textContent,
              tracks: document.querySelector('#stream-0 [data-field="tracks"]').textContent,
              streamFps: document.querySelector('#stream-0 [data-field="fps"]').textContent,
              streamLatency: document.querySelector('#stream-0 [data-field="latency"]').textContent,
              inference: document.querySelector('#stream-0 [data-stage="inference"]').textContent,
              errors: document.getElementById('video-0')?.dataset.errors ?? null,
            })
            """);
        output.WriteLine(state.GetRawText());

        Assert.True(shown, "the page did not show frames of both streams: " + state.GetRawText());
        Assert.True(state.GetProperty("received0").GetDouble() >= state.GetProperty("frames0").GetDouble());
        // Chromium reports naturalWidth 0 for a moment while a multipart MJPEG image swaps to its next part, so the
        // decoded size is awaited rather than read at one instant.
        bool sized = await browser.WaitForAsync("document.getElementById('video-0')?.naturalWidth === 160", s_wait);
        Assert.True(sized, "the MJPEG image never showed a decoded 160-pixel-wide frame: " + state.GetRawText());
        Assert.Equal("CPU", state.GetProperty("provider").GetString());
        Assert.Matches(@"^\d+\.\d$", state.GetProperty("fps").GetString());
        Assert.Matches(@"^\d+\.\d / \d+\.\d ms$", state.GetProperty("latency").GetString());
        Assert.Matches(@"^\d+\.\d / \d+\.\d ms$", state.GetProperty("streamLatency").GetString());
        Assert.Matches(@"^\d+\.\d$", state.GetProperty("streamFps").GetString());
        Assert.Equal("0", state.GetProperty("dropped").GetString());
        Assert.Equal("#1 clip1.mp4", state.GetProperty("title1").GetString());
        Assert.Equal("ready", state.GetProperty("health").GetString());
        Assert.Equal("2", state.GetProperty("tracks").GetString());
        Assert.Equal("12.0 ms", state.GetProperty("inference").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("errors").ValueKind);
    }

    [ChromiumFact]
    public async Task Page_WithBearerToken_OpenedWithTokenOnce_StreamsThroughTheCookie()
    {
        const string token = "browser-token-1234";
        await using WebViewHarness web = await WebViewHarness.StartAsync(new WebViewOptions { BearerToken = token });
        web.StartFeeding(TimeSpan.FromMilliseconds(40));
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(new Uri(web.Server.BaseAddress!, "?token=" + token));

        bool shown = await browser.WaitForAsync("Number(document.getElementById('frames-0')?.textContent) >= 5 && document.getElementById('provider').textContent === 'CPU'", s_wait);
        string location = (await browser.EvaluateAsync("location.href")).GetString()!;

        Assert.True(shown, "no frames with the token cookie");
        Assert.DoesNotContain("token", location, StringComparison.Ordinal);
    }

    /// <summary>Shows vtest.avi with boxes and the HUD (README's screenshot is of a real run: PeoplePresetScreenshotTests).</summary>
    [ChromiumVideoFact]
    public async Task Screenshot_RealVideo_PageShowsIt()
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        using var motion = BackgroundSubtractorMOG2.Create(history: 100, varThreshold: 32, detectShadows: false);
        using var mask = new Mat();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(9, 9));
        OverlayComposer? overlay = null;
        WebViewHarness? started = null;
        await using WebViewHarness web = await WebViewHarness.StartAsync(
            new WebViewOptions { Title = "StreamSeg — vtest.avi" },
            draw: (frame, _, _) =>
            {
                // Real frames, annotated with boxes of moving regions (a stand-in for the models in this test).
                if (!capture.Read(frame.Image) || frame.Image.Empty())
                {
                    capture.Set(VideoCaptureProperties.PosFrames, 0);
                    capture.Read(frame.Image);
                }

                motion.Apply(frame.Image, mask);
                Cv2.MorphologyEx(mask, mask, MorphTypes.Close, kernel);
                Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
                var boxes = new List<BoxF>();
                foreach (Point[] contour in contours)
                {
                    Rect r = Cv2.BoundingRect(contour);
                    if (r.Width * r.Height >= 600 && r.Height > r.Width)
                    {
                        boxes.Add(new BoxF(r.Left, r.Top, r.Right, r.Bottom));
                    }
                }

                frame.Instances = new Instances([.. boxes], [.. boxes.Select(_ => 0.9f)], new int[boxes.Count], trackIds: [.. Enumerable.Range(1, boxes.Count)], classNames: ["person"]);
                // The HUD reads the harness's stats, which exist once it has started (before the first frame is fed).
                overlay ??= new OverlayComposer(new OverlayOptions { Hud = true }, started!.Stats);
                overlay.Draw(frame, frame.Instances);
            });
        started = web;
        web.StartFeeding(TimeSpan.FromMilliseconds(40), width: 768, height: 576);
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(web.Server.BaseAddress!, 1100, 1000);

        Assert.True(await browser.WaitForAsync("Number(document.getElementById('frames-0')?.textContent) >= 80 && Number(document.body.dataset.polls) >= 4", s_wait));
        byte[] png = await browser.ScreenshotAsync();

        using Mat shot = Cv2.ImDecode(png, ImreadModes.Color);
        Assert.Equal(1100, shot.Width);
        Cv2.MeanStdDev(shot, out _, out Scalar spread);
        Assert.True(spread.Val0 > 20, "the screenshot looks blank");
    }
}
