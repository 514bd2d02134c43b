using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Web;

/// <summary>
/// A small HTTP server (Kestrel) that shows a running pipeline in a browser: annotated video per stream as MJPEG,
/// live figures, health and Prometheus metrics.
/// </summary>
/// <remarks>
/// <para>Routes: <c>/</c> the page (plain HTML and JS, polling <c>/api/streams</c> every second);
/// <c>/streams/{id}/mjpeg</c> (<c>multipart/x-mixed-replace</c>) and <c>/streams/{id}/snapshot.jpg</c>, where
/// <c>{id}</c> is the source index or its id; <c>/api/streams</c> (JSON); <c>/health</c> (200 when every stream is
/// ready, else 503); <c>/metrics</c> (Prometheus text, from the <see cref="PipelineMetrics.MeterName"/> meter through
/// the OpenTelemetry exporter).</para>
/// <para>It listens on <c>127.0.0.1:8080</c> unless told otherwise, and on a loopback address it only answers requests
/// whose Host is a loopback name (a guard against DNS rebinding). With <see cref="WebViewOptions.BearerToken"/> every
/// route but <c>/health</c> needs the token. Stopping ends every MJPEG response, so <see cref="StopAsync"/> does not
/// wait for viewers. Example: <c>await using var web = new WebViewServer(new WebViewOptions(), sink, stats); await web.StartAsync();</c>.</para>
/// </remarks>
public sealed class WebViewServer : IAsyncDisposable
{
    private const string Boundary = "streamsegframe";
    private const string TokenCookie = "streamseg_token";
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly byte[] s_firstBoundary = Encoding.ASCII.GetBytes("--" + Boundary + "\r\n");
    private static readonly byte[] s_partEnd = Encoding.ASCII.GetBytes("\r\n--" + Boundary + "\r\n");
    private readonly WebViewOptions _options;
    private readonly WebViewSink _sink;
    private readonly PipelineStats _stats;
    private readonly byte[]? _token;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;

    /// <summary>Creates the server for the frames of <paramref name="sink"/> and the figures of <paramref name="stats"/>; nothing listens before <see cref="StartAsync"/>.</summary>
    /// <remarks>The web host's own warnings and errors (Kestrel, hosting) go to <paramref name="loggerFactory"/>; without one they are dropped.</remarks>
    public WebViewServer(WebViewOptions options, WebViewSink sink, PipelineStats stats, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(stats);
        options.Validate();
        _options = options;
        _sink = sink;
        _stats = stats;
        _token = options.BearerToken is null ? null : Encoding.UTF8.GetBytes(options.BearerToken);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Gets the address the server listens on (for example <c>http://127.0.0.1:8080/</c>), once started.</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>Starts listening.</summary>
    /// <exception cref="IOException">The address is in use or cannot be bound.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The web view is already started.");
        }

        WebApplication app = Build();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"The web view cannot listen on {_options.Endpoint}: {ex.Message}", ex);
        }

        _app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Stops listening and ends every open stream.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        WebApplication? app = Interlocked.Exchange(ref _app, null);
        if (app is not null)
        {
            try
            {
                await app.StopAsync().ConfigureAwait(false);
            }
            finally
            {
                // Dispose even if stopping failed, so the port and the metric listener are released.
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool IsLoopbackHost(IPEndPoint endpoint) => IPAddress.IsLoopback(endpoint.Address);

    private static string ReadResource(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("StreamSeg.Web.wwwroot." + name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from StreamSeg.Web.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private WebApplication Build()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(WebViewServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        // Only warnings and errors: the host's information lines (one per request, "Now listening on") would bury the run's own.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new LoggerFactoryProvider(_loggerFactory));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(_options.Endpoint);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (IsLoopbackHost(_options.Endpoint))
        {
            builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"]);
        }

        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(PipelineMetrics.MeterName)

            // No scrape cache: a scrape shows the counters as they are now.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        WebApplication app = builder.Build();
        if (IsLoopbackHost(_options.Endpoint))
        {
            app.UseHostFiltering();
        }

        app.Use(AuthorizeAsync);
        string page = ReadResource("index.html").Replace("{{title}}", WebUtility.HtmlEncode(_options.Title), StringComparison.Ordinal);
        string script = ReadResource("app.js");
        string style = ReadResource("app.css");
        app.MapGet("/", (HttpContext context) => StaticText(context, page, "text/html; charset=utf-8"));
        app.MapGet("/app.js", (HttpContext context) => StaticText(context, script, "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", (HttpContext context) => StaticText(context, style, "text/css; charset=utf-8"));
        app.MapGet("/api/streams", (HttpRequest request, CancellationToken cancellationToken) => _options.StreamList is { } list && !request.Query.ContainsKey("view") ? list(cancellationToken) : Task.FromResult(GetStreams()));
        _options.Api?.Invoke(app);
        app.MapGet("/health", GetHealth);
        app.MapGet("/streams/{id}/mjpeg", StreamMjpegAsync);
        app.MapGet("/streams/{id}/snapshot.jpg", GetSnapshotAsync);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static IResult StaticText(HttpContext context, string text, string contentType)
    {
        IHeaderDictionary headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Text(text, contentType);
    }

    private async Task AuthorizeAsync(HttpContext context, Func<Task> next)
    {
        if (_token is null || context.Request.Path.Equals("/health", StringComparison.Ordinal))
        {
            await next().ConfigureAwait(false);
            return;
        }

        string? offered = null;
        string authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            offered = authorization["Bearer ".Length..].Trim();
        }
        else if (context.Request.Cookies.TryGetValue(TokenCookie, out string? cookie))
        {
            offered = cookie;
        }

        // A browser cannot put a header on <img src>, so the page is opened once as /?token=…; the token moves into
        // an HttpOnly, same-site cookie and the address bar is cleaned by a redirect.
        bool fromQuery = false;
        if (offered is null && context.Request.Path.Equals("/", StringComparison.Ordinal) && context.Request.Query.TryGetValue("token", out var query))
        {
            offered = query.ToString();
            fromQuery = true;
        }

        if (offered is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), _token))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"streamseg\"";
            await context.Response.WriteAsync("401: a bearer token is needed (Authorization: Bearer <token>, or open /?token=<token> once).\n").ConfigureAwait(false);
            return;
        }

        if (fromQuery)
        {
            context.Response.Cookies.Append(TokenCookie, offered, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = context.Request.IsHttps });
            context.Response.Redirect("/");
            return;
        }

        await next().ConfigureAwait(false);
    }

    private IResult GetStreams()
    {
        var stages = new Dictionary<string, double>(PipelineStageInfo.Count);
        for (int s = 0; s < PipelineStageInfo.Count; s++)
        {
            stages[PipelineStageInfo.Name((PipelineStage)s)] = Math.Round(_stats.StageMilliseconds((PipelineStage)s), 2);
        }

        var edges = new List<EdgeStatus>();
        foreach (Edge edge in _stats.Edges)
        {
            edges.Add(new EdgeStatus(StreamSeg.Capture.UrlRedactor.Redact(edge.Name), edge.Depth, edge.Dropped));
        }

        var state = new ViewState(
            _options.Title,
            _stats.Provider,
            Math.Round(_stats.Elapsed.TotalSeconds, 1),
            _stats.FramesIn,
            _stats.FramesOut,
            _stats.DroppedFrames,
            Math.Round(_stats.FramesPerSecond, 2),
            Math.Round(_stats.EndToEnd.Percentile(50), 2),
            Math.Round(_stats.EndToEnd.Percentile(95), 2),
            stages,
            edges,
            _sink.IsCompleted,
            _sink.GetStatus());
        return Results.Json(state, s_json);
    }

    private IResult GetHealth()
    {
        IReadOnlyList<StreamStatus> streams = _sink.GetStatus();
        var entries = new List<HealthEntry>(streams.Count);
        bool up = _options.IsUp?.Invoke() ?? true;
        bool ready = up && (streams.Count > 0 || _options.ReadyWhenEmpty);
        foreach (StreamStatus s in streams)
        {
            entries.Add(new HealthEntry(s.Index, s.Id, s.Health, s.LastFrameAgeMs));
            ready &= s.Health == StreamHealth.Ready;
        }

        var report = new HealthReport(ready ? "ready" : !up || streams.Count == 0 ? "starting" : "degraded", entries);
        return Results.Json(report, s_json, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private async Task StreamMjpegAsync(string id, HttpContext context)
    {
        if (!_sink.TryGetStream(id, out StreamView? view))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        HttpResponse response = context.Response;
        response.ContentType = "multipart/x-mixed-replace; boundary=" + Boundary;
        response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        response.Headers.Pragma = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        CancellationToken cancellationToken = stopping.Token;
        using IDisposable client = view.Connect();
        byte[] header = new byte[96];
        long sent = 0;
        try
        {
            await response.Body.WriteAsync(s_firstBoundary, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!view.TryGetNewer(sent, out JpegBuffer? jpeg, out Task published))
                {
                    if (view.IsEnded)
                    {
                        break;
                    }

                    await published.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    // Each part is followed at once by the next boundary, so a browser shows it without waiting for the next frame.
                    int length = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Type: image/jpeg\r\nContent-Length: {jpeg!.Length}\r\n\r\n"), header);
                    await response.Body.WriteAsync(header.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    await response.Body.WriteAsync(jpeg.Memory, cancellationToken).ConfigureAwait(false);
                    await response.Body.WriteAsync(s_partEnd, cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    sent = jpeg.Sequence;
                }
                finally
                {
                    // The buffer is shared with the sink and other clients: release only this client's reference.
                    jpeg!.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The viewer left or the server is stopping: the response just ends.
        }
    }

    private async Task<IResult> GetSnapshotAsync(string id, HttpContext context)
    {
        if (!_sink.TryGetStream(id, out StreamView? view))
        {
            return Results.NotFound();
        }

        view.Demand();
        long current = view.GetStatus(System.Diagnostics.Stopwatch.GetTimestamp()).JpegFrames;
        JpegBuffer? jpeg = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            // Without a viewer nothing was being encoded: wait briefly for a fresh frame, else serve the last one.
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            while (!view.IsEnded && !view.TryGetNewer(current, out jpeg, out Task published))
            {
                try
                {
                    await published.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        if (jpeg is null && !view.TryGetNewer(0, out jpeg, out _))
        {
            return Results.Problem("No frame of this stream has been encoded yet.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(jpeg!.Memory.ToArray(), "image/jpeg");
        }
        finally
        {
            jpeg!.Release();
        }
    }

    private sealed record EdgeStatus(string Name, int Depth, long Dropped);

    private sealed record HealthEntry(int Index, string Id, StreamHealth Health, double? LastFrameAgeMs);

    private sealed record HealthReport(string Status, IReadOnlyList<HealthEntry> Streams);

    private sealed record ViewState(
        string Title,
        string Provider,
        double UptimeS,
        long FramesIn,
        long FramesOut,
        long Dropped,
        double Fps,
        double LatencyP50Ms,
        double LatencyP95Ms,
        IReadOnlyDictionary<string, double> StagesMs,
        IReadOnlyList<EdgeStatus> Edges,
        bool Completed,
        IReadOnlyList<StreamStatus> Streams);
}
