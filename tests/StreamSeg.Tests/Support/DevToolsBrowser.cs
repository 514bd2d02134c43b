using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamSeg.Tests.Support;

/// <summary>
/// A headless Chromium driven over the Chrome DevTools protocol (a WebSocket and JSON, no extra packages):
/// open a page, evaluate JavaScript in it, take a screenshot.
/// </summary>
internal sealed class DevToolsBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private DevToolsBrowser(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts the browser with a fresh profile and opens <paramref name="url"/> in a <paramref name="width"/>×<paramref name="height"/> window.</summary>
    public static async Task<DevToolsBrowser> OpenAsync(string chromium, Uri url, int width = 1280, int height = 800)
    {
        string profile = Directory.CreateTempSubdirectory("streamseg-chromium-").FullName;
        var start = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio", "--user-data-dir=" + profile,
            "--remote-debugging-port=0", "--remote-allow-origins=*", $"--window-size={width},{height}", url.ToString(),
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");

        // Chromium's diagnostics go to stderr; read them so that the pipe never fills.
        _ = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var browser = new DevToolsBrowser(process, profile);
        try
        {
            await browser.ConnectAsync(url);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        JsonNode result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is JsonNode error)
        {
            throw new InvalidOperationException("JavaScript failed: " + error.ToJsonString());
        }

        return result["result"]?["value"];
    }

    /// <summary>Polls <paramref name="expression"/> until it is true or <paramref name="timeout"/> passes; returns whether it became true.</summary>
    public async Task<bool> WaitForAsync(string expression, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (await EvaluateAsync($"Boolean({expression})") is JsonValue v && v.GetValue<bool>())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Takes a PNG screenshot of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        JsonNode result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium's helpers may still hold a file for a moment; the profile is in the temp folder.
            }
        }
    }

    private async Task ConnectAsync(Uri url)
    {
        // With port 0 Chromium picks a free port and writes it into the profile's DevToolsActivePort file.
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        var watch = Stopwatch.StartNew();
        string[] lines = [];
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Chromium exited with code {_process.ExitCode} before DevTools was ready.");
            }

            if (File.Exists(portFile) && (lines = await File.ReadAllLinesAsync(portFile)).Length >= 1 && lines[0].Length > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        if (lines.Length == 0)
        {
            throw new TimeoutException("Chromium's DevTools port did not appear within 30 s.");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? page = null;
        while (page is null && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            JsonArray targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{lines[0].Trim()}/json/list"))!.AsArray();
            page = targets.FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page" && t["url"]?.GetValue<string>().StartsWith(url.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) == true)?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (page is null)
            {
                await Task.Delay(100);
            }
        }

        await _socket.ConnectAsync(new Uri(page ?? throw new TimeoutException("The page target did not appear.")), CancellationToken.None);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);

            // Events (no id) and answers to other calls are skipped: calls are made one at a time.
            JsonNode? reply = JsonNode.Parse(received.ToArray());
            if (reply?["id"]?.GetValue<int>() == id)
            {
                if (reply["error"] is JsonNode error)
                {
                    throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
                }

                return reply["result"]!;
            }
        }
    }
}
