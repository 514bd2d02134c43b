using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>A <c>streamseg serve</c> child process on a loopback port from the OS, with the fixture model; killed on dispose.</summary>
internal sealed class ServeNode : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Process _process;

    private ServeNode(IEnumerable<string> extraArgs)
    {
        Port = Ports.Free();
        var args = new List<string>
        {
            "serve", "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--threads", "1",
            "--http", "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture),
        };
        args.AddRange(extraArgs);
        _process = CliRunner.Start(args, _stdout, _stderr);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public Process Process => _process;

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts a node and waits (60 s at most) until its API answers.</summary>
    public static ServeNode Start(params string[] extraArgs)
    {
        var node = new ServeNode(extraArgs);
        try
        {
            bool up = Readiness.PollUntil(
                () =>
                {
                    if (node._process.HasExited)
                    {
                        return true;
                    }

                    // The line comes once the boot streams have started.
                    if (!node.StdErr.Contains("serving as node", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    try
                    {
                        using HttpResponseMessage r = node.Client.GetAsync("api/streams").GetAwaiter().GetResult();
                        return r.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(60));
            Assert.True(up && !node._process.HasExited, "streamseg serve did not come up: " + node.StdErr);
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonElement body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    public async Task<JsonElement> AddAsync(object spec)
    {
        using HttpResponseMessage response = await Client.PostAsJsonAsync("api/streams", spec);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"POST gave {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Waits until stream <paramref name="id"/> is in <paramref name="state"/>, at most <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForStateAsync(string id, string state, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            (int status, JsonElement body) = await SendAsync(HttpMethod.Get, "api/streams/" + id);
            Assert.Equal(200, status);
            if (body.GetProperty("state").GetString() == state)
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"stream '{id}' is {body.GetProperty("state").GetString()}, not {state}, after {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends SIGINT and waits (60 s at most) for the exit code.</summary>
    public int Interrupt()
    {
        using (Process kill = Process.Start("kill", $"-INT {_process.Id}"))
        {
            kill.WaitForExit();
        }

        Assert.True(_process.WaitForExit(60_000), "serve did not stop within 60 s of SIGINT: " + StdErr);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Client.Dispose();
        ChildProcess.Stop(_process);
    }
}
