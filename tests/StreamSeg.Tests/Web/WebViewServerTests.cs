using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Pipeline;
using StreamSeg.Tests.Fakes;
using StreamSeg.Web;

namespace StreamSeg.Tests.Web;

public partial class WebViewServerTests
{
    private const string Token = "s3cret-token-for-tests";

    [Fact]
    public async Task Health_BeforeFirstFrame_Is503_ThenReady200()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        web.Sink.RegisterSource(0, "cam0");

        using HttpResponseMessage before = await web.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("\"starting\"", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await web.FeedAsync(3);
        using HttpResponseMessage after = await web.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        using JsonDocument health = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Equal("ready", health.RootElement.GetProperty("status").GetString());
        Assert.Equal("ready", health.RootElement.GetProperty("streams")[0].GetProperty("health").GetString());

        await web.Sink.CompleteAsync(CancellationToken.None);
        using HttpResponseMessage ended = await web.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ended.StatusCode);
    }

    [Fact]
    public async Task Health_StreamWithoutFramesForLong_IsDegraded()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync(sinkOptions: WebViewSinkOptions.Default with { StaleAfter = TimeSpan.FromMilliseconds(200) });
        await web.FeedAsync(2);
        await Task.Delay(400);

        using HttpResponseMessage response = await web.Client.GetAsync("health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("\"degraded\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiStreams_AfterFrames_ReportsFiguresOfEveryStream()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        await web.FeedAsync(10, source: 0);
        await web.FeedAsync(4, source: 1);

        using JsonDocument state = JsonDocument.Parse(await web.Client.GetStringAsync("api/streams"));
        JsonElement root = state.RootElement;

        Assert.Equal("CPU", root.GetProperty("provider").GetString());
        Assert.Equal(14, root.GetProperty("frames_in").GetInt64());
        Assert.Equal(14, root.GetProperty("frames_out").GetInt64());
        Assert.InRange(root.GetProperty("latency_p50_ms").GetDouble(), 15, 1000);
        Assert.Equal(12, root.GetProperty("stages_ms").GetProperty("inference").GetDouble(), 1);
        JsonElement streams = root.GetProperty("streams");
        Assert.Equal(2, streams.GetArrayLength());
        JsonElement cam = streams[0];
        Assert.Equal(0, cam.GetProperty("index").GetInt32());
        Assert.Equal("cam0", cam.GetProperty("id").GetString());
        Assert.Equal("ready", cam.GetProperty("health").GetString());
        Assert.Equal(10, cam.GetProperty("frames").GetInt64());
        Assert.Equal(9, cam.GetProperty("frame_index").GetInt64());
        Assert.Equal(160, cam.GetProperty("width").GetInt32());
        Assert.Equal(2, cam.GetProperty("active_tracks").GetInt32());
        Assert.Equal(3, cam.GetProperty("instances").GetInt32());
        Assert.Equal(0, cam.GetProperty("drops").GetInt64());
        Assert.InRange(cam.GetProperty("latency_p50_ms").GetDouble(), 15, 1000);
        Assert.InRange(cam.GetProperty("latency_p95_ms").GetDouble(), cam.GetProperty("latency_p50_ms").GetDouble(), 1000);
        Assert.Equal(1.5, cam.GetProperty("stages_ms").GetProperty("capture").GetDouble(), 2);

        // Nobody watched, so nothing was encoded.
        Assert.Equal(0, cam.GetProperty("jpeg_frames").GetInt64());
        Assert.Equal("clip1.mp4", streams[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Sink_IndexGap_CountsDrops_AndRedactsCredentialsInIds()
    {
        await using var sink = new WebViewSink();
        foreach (long index in new long[] { 0, 1, 5, 6 })
        {
            using Frame frame = Support.TestFrames.Solid(32, 24, default);
            frame.Meta.SourceId = "rtsp://admin:hunter2@10.0.0.5/stream";
            frame.Meta.Index = index;
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        StreamStatus status = Assert.Single(sink.GetStatus());
        Assert.Equal(3, status.Drops);
        Assert.Equal(4, status.Frames);
        Assert.DoesNotContain("hunter2", status.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ScrapedTwice_CountersIncreaseWithFrames()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        await web.FeedAsync(5);
        string first = await web.Client.GetStringAsync("metrics");
        await web.FeedAsync(7);
        string second = await web.Client.GetStringAsync("metrics");

        // Other tests may publish on the same meter name at the same time, so the checks are "at least".
        Assert.True(Value(second, "streamseg_frames_in_total") - Value(first, "streamseg_frames_in_total") >= 7, second);
        Assert.True(Value(second, "streamseg_frames_out_total") - Value(first, "streamseg_frames_out_total") >= 7, second);
        const string inference = "stage=\"inference\"";
        Assert.True(Value(second, "streamseg_stage_duration_milliseconds_count", inference) - Value(first, "streamseg_stage_duration_milliseconds_count", inference) >= 7, second);
        Assert.True(Value(second, "streamseg_end_to_end_latency_milliseconds_count") >= 12, second);
        Assert.Contains("# TYPE streamseg_stage_duration_milliseconds histogram", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_RealPipeline_ReportDropsAndQueueDepthPerEdge_WithoutCredentials()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        var slow = new DelegateStage("slow", f =>
        {
            Thread.Sleep(15);
            return f;
        });
        var runner = new PipelineRunner(PipelineOptions.Default, web.Stats);
        IFrameSource source = new SyntheticSource(UrlRedactor.Redact("rtsp://admin:hunter2@cam/x"), 150, live: true, interval: TimeSpan.FromMilliseconds(2));

        PipelineResult result = await runner.RunAsync(
            [source],
            [(slow, PipelineStage.Inference)],
            [new SinkBinding(web.Sink, new EdgeOptions(2, FrameDropPolicy.DropOldest))],
            CancellationToken.None);
        string metrics = await web.Client.GetStringAsync("metrics");

        Assert.True(result.Dropped > 0);
        Assert.Matches("streamseg_frames_dropped_total\\{[^}]*edge=\"source\\[rtsp://\\*\\*\\*@cam/x\\]\"", metrics);
        Assert.Matches("streamseg_edge_queue_depth\\{[^}]*edge=\"capture→slow\"", metrics);
        Assert.DoesNotContain("hunter2", metrics, StringComparison.Ordinal);
        Assert.True(Value(metrics, "streamseg_frames_dropped_total") >= result.Dropped, metrics);
    }

    [Fact]
    public async Task BearerToken_Set_RequiredEverywhereButHealth()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync(new WebViewOptions { BearerToken = Token });
        await web.FeedAsync(2);

        foreach (string path in new[] { "", "api/streams", "metrics", "streams/0/snapshot.jpg", "streams/0/mjpeg", "app.js" })
        {
            using HttpResponseMessage denied = await web.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token") } };
            using HttpResponseMessage wrongResponse = await web.Client.SendAsync(wrong, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        }

        using HttpResponseMessage health = await web.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (string path in new[] { "", "api/streams", "metrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
            using HttpResponseMessage ok = await web.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task BearerToken_PageOpenedWithToken_SetsCookieAndRedirects()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync(new WebViewOptions { BearerToken = Token });
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var client = new HttpClient(handler) { BaseAddress = web.Server.BaseAddress };

        using HttpResponseMessage redirect = await client.GetAsync("?token=" + Token);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.DoesNotContain("token", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        string cookie = Assert.Single(redirect.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using HttpResponseMessage api = await client.GetAsync("api/streams");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using HttpResponseMessage wrong = await new HttpClient { BaseAddress = web.Server.BaseAddress }.GetAsync("?token=wrong-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Mjpeg_WhileFramesArrive_StreamsMultipartJpegParts()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        await web.FeedAsync(1);
        web.StartFeeding(TimeSpan.FromMilliseconds(20));

        using HttpResponseMessage response = await web.Client.GetAsync("streams/0/mjpeg", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart/x-mixed-replace", response.Content.Headers.ContentType!.MediaType);
        string boundary = response.Content.Headers.ContentType.Parameters.Single(p => p.Name == "boundary").Value!;
        await using Stream body = await response.Content.ReadAsStreamAsync();
        List<byte[]> parts = await ReadPartsAsync(body, boundary, 3);

        Assert.Equal(3, parts.Count);
        Assert.All(parts, jpeg =>
        {
            Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, jpeg[..3]);
            Assert.Equal(new byte[] { 0xFF, 0xD9 }, jpeg[^2..]);
            using OpenCvSharp.Mat decoded = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
            Assert.Equal(160, decoded.Width);
        });
        Assert.True(web.Sink.GetStatus()[0].Clients >= 1);
    }

    [Fact]
    public async Task Mjpeg_UnknownStream_Is404()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();

        using HttpResponseMessage response = await web.Client.GetAsync("streams/9/mjpeg");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Snapshot_WithoutViewer_EncodesOnDemand_Downscaled()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync(sinkOptions: WebViewSinkOptions.Default with { MaxWidth = 100 });
        await web.FeedAsync(3);
        Assert.Equal(0, web.Sink.GetStatus()[0].JpegFrames);
        web.StartFeeding(TimeSpan.FromMilliseconds(20));

        byte[] jpeg = await web.Client.GetByteArrayAsync("streams/cam0/snapshot.jpg");

        using OpenCvSharp.Mat decoded = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
        Assert.Equal(100, decoded.Width);
        Assert.Equal(75, decoded.Height);
    }

    [Fact]
    public async Task Page_ServesHtmlWithScriptAndSecurityHeaders()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();

        using HttpResponseMessage page = await web.Client.GetAsync("");
        string html = await page.Content.ReadAsStringAsync();
        string script = await web.Client.GetStringAsync("app.js");

        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script src=\"/app.js\"", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("/api/streams", script, StringComparison.Ordinal);
        Assert.Contains("/mjpeg", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_ForeignHostHeader_IsRejected()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/streams");
        request.Headers.Host = "attacker.example";

        using HttpResponseMessage response = await web.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task StopAsync_WithMjpegViewer_EndsTheStreamPromptly()
    {
        await using WebViewHarness web = await WebViewHarness.StartAsync();
        await web.FeedAsync(1);
        using HttpResponseMessage response = await web.Client.GetAsync("streams/0/mjpeg", HttpCompletionOption.ResponseHeadersRead);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await web.Server.StopAsync();

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("localhost:9000", "127.0.0.1:9000")]
    [InlineData(":8081", "127.0.0.1:8081")]
    [InlineData("0.0.0.0:80", "0.0.0.0:80")]
    [InlineData("[::1]:8080", "[::1]:8080")]
    [InlineData("127.0.0.1", "127.0.0.1:8080")]
    public void ParseEndpoint_Forms_Parse(string text, string expected)
    {
        Assert.Equal(expected, WebViewOptions.ParseEndpoint(text).ToString());
    }

    [Theory]
    [InlineData("example.com:80")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("")]
    public void ParseEndpoint_Invalid_Throws(string text)
    {
        Assert.Throws<FormatException>(() => WebViewOptions.ParseEndpoint(text));
    }

    /// <summary>Sums the values of the series <paramref name="name"/> that carry <paramref name="label"/> (the value follows the labels; a timestamp may follow it).</summary>
    private static double Value(string exposition, string name, string label = "")
    {
        double sum = 0;
        foreach (string line in exposition.Split('\n'))
        {
            if ((line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)) && line.Contains(label, StringComparison.Ordinal))
            {
                int labelsEnd = line.LastIndexOf('}');
                string rest = labelsEnd >= 0 ? line[(labelsEnd + 1)..] : line[name.Length..];
                sum += double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    private static async Task<List<byte[]>> ReadPartsAsync(Stream body, string boundary, int wanted)
    {
        var parts = new List<byte[]>();
        var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        byte[] separator = Encoding.ASCII.GetBytes("--" + boundary + "\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (parts.Count < wanted)
        {
            int n = await body.ReadAsync(chunk, timeout.Token);
            Assert.True(n > 0, "the MJPEG stream ended early");
            buffer.Write(chunk, 0, n);
            byte[] data = buffer.ToArray();
            int start = IndexOf(data, separator, 0);
            int next = start < 0 ? -1 : IndexOf(data, separator, start + separator.Length);
            while (start >= 0 && next > 0 && parts.Count < wanted)
            {
                string headers = Encoding.ASCII.GetString(data, start + separator.Length, Math.Min(200, next - start - separator.Length));
                int headerEnd = IndexOf(data, "\r\n\r\n"u8.ToArray(), start) + 4;
                int length = int.Parse(ContentLength().Match(headers).Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.Contains("Content-Type: image/jpeg", headers, StringComparison.Ordinal);
                parts.Add(data[headerEnd..(headerEnd + length)]);
                buffer = new MemoryStream();
                buffer.Write(data, next, data.Length - next);
                data = buffer.ToArray();
                start = 0;
                next = IndexOf(data, separator, separator.Length);
            }
        }

        return parts;
    }

    private static int IndexOf(byte[] data, byte[] pattern, int from) =>
        from >= data.Length ? -1 : data.AsSpan(from).IndexOf(pattern) is var i && i >= 0 ? i + from : -1;

    [Fact]
    public async Task Server_WithLoggerFactory_HandsTheHostsLoggersToIt_OnlyWarningsAndAbove_AndLeavesItUndisposed()
    {
        var loggers = new RecordingLoggerFactory();
        await using (WebViewHarness web = await WebViewHarness.StartAsync(loggerFactory: loggers))
        {
            await web.FeedAsync(2);
            using HttpResponseMessage page = await web.Client.GetAsync("");
            using HttpResponseMessage missing = await web.Client.GetAsync("streams/9/snapshot.jpg");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // Kestrel and the host asked the caller's factory for their loggers ...
        Assert.Contains(loggers.Categories, c => c.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal));
        Assert.Contains("Microsoft.Hosting.Lifetime", loggers.Categories);

        // ... but their information lines ("Now listening on", one per request) were held back, and the factory is still the caller's.
        Assert.DoesNotContain(loggers.Entries, e => e.Level < LogLevel.Warning);
        Assert.False(loggers.Disposed);
    }

    [Fact]
    [SuppressMessage("Performance", "CA1848:Use the LoggerMessage delegates", Justification = "The test logs as ASP.NET Core's own code does, through a message template, to check the provider forwards it.")]
    public void LoggerFactoryProvider_ForwardsCategoriesAndMessages_AndDoesNotDisposeTheFactory()
    {
        var loggers = new RecordingLoggerFactory();
        var provider = new LoggerFactoryProvider(loggers);

        provider.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").LogWarning("slow client {Id}", 7);
        provider.Dispose();

        Assert.Equal(["Microsoft.AspNetCore.Server.Kestrel"], loggers.Categories);
        Assert.Equal([("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning, "slow client 7")], loggers.Entries);
        Assert.False(loggers.Disposed);
    }

    [GeneratedRegex(@"Content-Length: (\d+)")]
    private static partial Regex ContentLength();
}
