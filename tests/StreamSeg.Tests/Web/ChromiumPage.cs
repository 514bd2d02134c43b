using System.Text.Json;
using PuppeteerSharp;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Web;

/// <summary>
/// One page in Debian's headless <c>chromium</c> (the path <see cref="ChromiumFactAttribute"/> found), driven through
/// PuppeteerSharp: open a URL, evaluate JavaScript, wait for a condition, take a screenshot.
/// </summary>
/// <remarks>
/// The browser is always the installed one (<see cref="LaunchOptions.ExecutablePath"/>); nothing here calls
/// PuppeteerSharp's <c>BrowserFetcher</c>, so no browser is downloaded. PuppeteerSharp gives each launch a fresh
/// temporary profile and deletes it on close.
/// </remarks>
internal sealed class ChromiumPage : IAsyncDisposable
{
    private readonly IBrowser _browser;

    private ChromiumPage(IBrowser browser, IPage page)
    {
        _browser = browser;
        Page = page;
    }

    /// <summary>Gets the page, for what the helpers below do not cover.</summary>
    public IPage Page { get; }

    /// <summary>Starts the browser and opens <paramref name="url"/> in a <paramref name="width"/>×<paramref name="height"/> viewport.</summary>
    public static async Task<ChromiumPage> OpenAsync(Uri url, int width = 1280, int height = 800)
    {
        string chromium = ChromiumFactAttribute.Path ?? throw new InvalidOperationException("No Chromium is installed (the test should have been skipped).");
        IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = chromium,
            Browser = SupportedBrowser.Chromium,
            Protocol = ProtocolType.Cdp,
            Headless = true,
            DefaultViewport = new ViewPortOptions { Width = width, Height = height },

            // Root in a container needs --no-sandbox; QUIC and background networking would only add noise on loopback.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--hide-scrollbars", "--mute-audio"],
        });
        try
        {
            IPage[] pages = await browser.PagesAsync();
            IPage page = pages.Length > 0 ? pages[0] : await browser.NewPageAsync();

            // The page keeps an MJPEG fetch open for as long as it lives, so waiting for the network to go idle would
            // never end; the DOM being ready is enough, the tests then wait for what they need.
            await page.GoToAsync(url.ToString(), WaitUntilNavigation.DOMContentLoaded);
            return new ChromiumPage(browser, page);
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as JSON.</summary>
    public Task<JsonElement> EvaluateAsync(string expression) => Page.EvaluateExpressionAsync<JsonElement>(expression);

    /// <summary>Polls <paramref name="expression"/> every 100 ms until it is true or <paramref name="timeout"/> passes; returns whether it became true.</summary>
    public async Task<bool> WaitForAsync(string expression, TimeSpan timeout)
    {
        try
        {
            await Page.WaitForExpressionAsync(
                $"Boolean({expression})",
                new WaitForFunctionOptions { Timeout = (int)timeout.TotalMilliseconds, PollingInterval = 100 });
            return true;
        }
        catch (WaitTaskTimeoutException)
        {
            // A false answer is the test's to report, with the state it read.
            return false;
        }
    }

    /// <summary>Takes a PNG screenshot of the viewport.</summary>
    public Task<byte[]> ScreenshotAsync() => Page.ScreenshotDataAsync(new ScreenshotOptions { Type = ScreenshotType.Png });

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();
}
