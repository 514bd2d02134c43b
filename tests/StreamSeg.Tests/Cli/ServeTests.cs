using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg serve</c> as a real process on loopback: the stream API, its refusals, finalised outputs, other streams left alone, restart.</summary>
public class ServeTests
{
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Streams_are_added_listed_shown_and_deleted_with_their_outputs_finalised()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("long.avi"), 160, 120, 3000);
        using ServeNode node = ServeNode.Start("--node", "n1");

        // A node with no stream yet is up: ready for streams.
        (int health, _) = await node.SendAsync(HttpMethod.Get, "health");
        Assert.Equal(200, health);

        JsonElement added = await node.AddAsync(new { id = "cam1", source = clip, record = dir.File("cam1.mp4"), meta = dir.File("cam1.ndjson") });
        Assert.Equal("cam1", added.GetProperty("id").GetString());
        Assert.Equal("n1", added.GetProperty("node").GetString());
        Assert.Equal("live", added.GetProperty("state").GetString());

        (int status, JsonElement list) = await node.SendAsync(HttpMethod.Get, "api/streams");
        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        JsonElement item = Assert.Single(list.EnumerateArray());
        Assert.Equal("cam1", item.GetProperty("id").GetString());
        Assert.Equal(clip, item.GetProperty("source").GetString());
        Assert.True(item.TryGetProperty("fps", out _));

        // Counters move while it runs.
        Assert.True(Readiness.PollUntil(() => Counter(node, "cam1", "frames_out") >= 20, s_long), "cam1 did not process 20 frames: " + node.StdErr);
        (_, JsonElement detail) = await node.SendAsync(HttpMethod.Get, "api/streams/cam1");
        JsonElement counters = detail.GetProperty("counters");
        Assert.True(counters.GetProperty("frames_in").GetInt64() >= counters.GetProperty("frames_out").GetInt64());
        Assert.True(counters.GetProperty("e2e_p95_ms").GetDouble() >= counters.GetProperty("e2e_p50_ms").GetDouble());
        Assert.True(counters.TryGetProperty("drops", out _) && counters.TryGetProperty("reconnects", out _));

        // The page's own figures are still there.
        (status, JsonElement view) = await node.SendAsync(HttpMethod.Get, "api/streams?view");
        Assert.Equal(200, status);
        Assert.True(view.TryGetProperty("frames_in", out _) || view.TryGetProperty("framesIn", out _) || view.ValueKind == JsonValueKind.Object);

        (status, _) = await node.SendAsync(HttpMethod.Delete, "api/streams/cam1");
        Assert.Equal(204, status);

        // Finalised when DELETE answers: the MP4 plays to its end and every NDJSON line is whole.
        Ffprobe.StreamInfo mp4 = Ffprobe.Probe(dir.File("cam1.mp4"));
        Assert.Equal("h264", mp4.CodecName);
        string[] lines = File.ReadAllLines(dir.File("cam1.ndjson"));
        Assert.NotEmpty(lines);
        Assert.True(lines.Length < 3000, "the stream should have been stopped before the end of the file");
        foreach (string line in lines)
        {
            using JsonDocument d = JsonDocument.Parse(line);
            Assert.Equal("cam1", d.RootElement.GetProperty("source").GetString());
        }

        Assert.Equal(lines.Length, mp4.FrameCount);

        (status, list) = await node.SendAsync(HttpMethod.Get, "api/streams");
        Assert.Empty(list.EnumerateArray());
        (status, JsonElement gone) = await node.SendAsync(HttpMethod.Delete, "api/streams/cam1");
        Assert.Equal(404, status);
        Assert.Contains("cam1", gone.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, _) = await node.SendAsync(HttpMethod.Get, "api/streams/cam1");
        Assert.Equal(404, status);

        Assert.Equal(130, node.Interrupt());
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_their_code_and_a_line_naming_the_field_and_credentials_never_show()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("long.avi"), 160, 120, 3000);
        int closed = Ports.Free();
        using ServeNode node = ServeNode.Start("--max-streams", "1");

        async Task Refused(string json, int code, params string[] expected)
        {
            (int status, JsonElement body) = await node.SendAsync(HttpMethod.Post, "api/streams", json);
            string message = body.GetProperty("error").GetString()!;
            Assert.True(status == code, $"{json} gave {status} ({message}), not {code}");
            Assert.DoesNotContain('\n', message);
            Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
            foreach (string e in expected)
            {
                Assert.Contains(e, message, StringComparison.Ordinal);
            }
        }

        await Refused("not json", 400, "body:");
        await Refused("[]", 400, "body:");
        await Refused($$"""{"source":"{{clip}}"}""", 400, "id: missing");
        await Refused($$"""{"id":"../x","source":"{{clip}}"}""", 400, "id:");
        await Refused("""{"id":"cam1"}""", 400, "source: missing");
        await Refused("""{"id":"cam1","source":"/nope/missing.mp4"}""", 400, "source:", "/nope/missing.mp4", "does not exist");
        await Refused($$"""{"id":"cam1","source":"{{clip}}","colour":"red"}""", 400, "colour: unknown key");
        await Refused($$"""{"id":"cam1","source":"{{clip}}","record":7}""", 400, "record: must be a string");
        await Refused($$"""{"id":"cam1","source":"{{clip}}","publish":"http://relay/cam1"}""", 400, "publish:");
        await Refused($$"""{"id":"cam1","source":"{{clip}}","record":"/nope/dir/x.mp4"}""", 400, "record:", "does not exist");
        await Refused($$"""{"id":"cam1","source":"{{clip}}","meta":"/nope/dir/x.ndjson"}""", 400, "meta:");
        await Refused($$"""{"id":"cam1","source":"rtsp://alice:s3cret@127.0.0.1:{{closed}}/cam"}""", 400, "source:", "rtsp://***@127.0.0.1");

        // A stream whose publish URL carries credentials: accepted, and redacted in every answer.
        string publish = $"rtsp://bob:s3cret@127.0.0.1:{closed}/cam1";
        JsonElement added = await node.AddAsync(new { id = "cam1", source = clip, publish });
        Assert.DoesNotContain("s3cret", added.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("***@127.0.0.1", added.GetProperty("publish").GetString(), StringComparison.Ordinal);
        foreach (string path in new[] { "api/streams", "api/streams/cam1", "api/streams?view", "health" })
        {
            using HttpResponseMessage r = await node.Client.GetAsync(path);
            Assert.DoesNotContain("s3cret", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Refused($$"""{"id":"cam1","source":"{{clip}}"}""", 409, "cam1", "exists");
        await Refused($$"""{"id":"cam2","source":"{{clip}}"}""", 429, "--max-streams 1");
        Assert.DoesNotContain("s3cret", node.StdErr, StringComparison.Ordinal);
        Assert.Equal(130, node.Interrupt());
        Assert.DoesNotContain("s3cret", node.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_added_and_removed_while_another_runs_leaves_the_other_every_frame_and_its_tracks()
    {
        using var dir = new TempDirectory();
        const int Frames = 150;
        string main = CliRunner.MakeVideo(dir.File("main.avi"), 160, 120, Frames);
        string other = CliRunner.MakeVideo(dir.File("other.avi"), 160, 120, 3000);

        // The reference: the same file alone through 'streamseg run'.
        CliRunner.Result reference = CliRunner.Run("run", "--source", main, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--threads", "1", "--meta", dir.File("ref.ndjson"));
        Assert.True(reference.ExitCode == 0, reference.StdErr);

        using ServeNode node = ServeNode.Start();
        await node.AddAsync(new { id = "main", source = main, meta = dir.File("main.ndjson") });
        await node.AddAsync(new { id = "other", source = other, meta = dir.File("other.ndjson") });
        Assert.True(Readiness.PollUntil(() => Counter(node, "other", "frames_out") >= 10, s_long), "other did not run: " + node.StdErr);
        (int status, _) = await node.SendAsync(HttpMethod.Delete, "api/streams/other");
        Assert.Equal(204, status);

        // Added again under the same id while main still runs, then removed again.
        await node.AddAsync(new { id = "other", source = other, meta = dir.File("other2.ndjson") });
        Assert.True(Readiness.PollUntil(() => Counter(node, "other", "frames_out") >= 5, s_long), "other did not run again: " + node.StdErr);
        (status, _) = await node.SendAsync(HttpMethod.Delete, "api/streams/other");
        Assert.Equal(204, status);

        await node.WaitForStateAsync("main", "ended", s_long);
        string[] got = File.ReadAllLines(dir.File("main.ndjson"));
        string[] want = File.ReadAllLines(dir.File("ref.ndjson"));
        Assert.Equal(Frames, got.Length);
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            Assert.Equal(i, Frame(got[i]).Index);
            Assert.Equal(Frame(want[i]).Tracks, Frame(got[i]).Tracks);
        }

        // The second 'other' started its tracks afresh (a new source index, not the first one's).
        Assert.NotEqual(SourceIndex(File.ReadLines(dir.File("other.ndjson")).First()), SourceIndex(File.ReadLines(dir.File("other2.ndjson")).First()));
        Assert.Equal(130, node.Interrupt());
    }

    [Fact]
    public async Task A_restarted_node_brings_its_streams_back_from_the_desired_list_file()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("long.avi"), 160, 120, 3000);
        string config = dir.File("node.yaml");
        File.WriteAllText(config, $"sources:\n  - uri: {clip}\n    id: boot\n");
        using (ServeNode first = ServeNode.Start("--config", config))
        {
            Assert.Equal(["boot"], await IdsAsync(first));
            await first.AddAsync(new { id = "added", source = clip });
            await first.AddAsync(new { id = "gone", source = clip });
            (int status, _) = await first.SendAsync(HttpMethod.Delete, "api/streams/gone");
            Assert.Equal(204, status);
            Assert.Equal(130, first.Interrupt());
        }

        string desired = File.ReadAllText(dir.File("node.streams.json"));
        Assert.Contains("\"added\"", desired, StringComparison.Ordinal);
        Assert.DoesNotContain("\"gone\"", desired, StringComparison.Ordinal);

        using ServeNode second = ServeNode.Start("--config", config);
        Assert.Equal(["added", "boot"], (await IdsAsync(second)).Order(StringComparer.Ordinal));
        Assert.Equal(130, second.Interrupt());
    }

    [MosquittoFact]
    public async Task Mqtt_messages_carry_the_stream_id_the_node_and_a_seq_that_grows_by_one()
    {
        using var dir = new TempDirectory();
        const int Frames = 40;
        string clip = CliRunner.MakeVideo(dir.File("clip.avi"), 160, 120, Frames);
        using MosquittoBroker broker = MosquittoBroker.Start(dir);
        Readiness.WaitForListener(broker.Port, "mosquitto");
        var messages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        System.Diagnostics.Process? subscriber = null;
        try
        {
            subscriber = ChildProcess.Start("stdbuf", ["-oL", MosquittoFactAttribute.Find("mosquitto_sub")!, "-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "fleet/#", "-v", "-d"], messages.Enqueue);
            Assert.True(Readiness.PollUntil(() => messages.Any(m => m.StartsWith("Subscribed (mid", StringComparison.Ordinal)), Readiness.Timeout), "mosquitto_sub did not subscribe");
            using ServeNode node = ServeNode.Start("--node", "n7", "--mqtt", $"mqtt://127.0.0.1:{broker.Port}/fleet");
            await node.AddAsync(new { id = "cam9", source = clip });
            await node.WaitForStateAsync("cam9", "ended", s_long);
            Assert.True(Readiness.PollUntil(() => messages.Count(m => m.StartsWith("fleet/cam9 {", StringComparison.Ordinal)) >= Frames, TimeSpan.FromSeconds(30)), "not every frame reached MQTT");
            long expected = 1;
            foreach (string m in messages.Where(m => m.StartsWith("fleet/cam9 {", StringComparison.Ordinal)))
            {
                using JsonDocument d = JsonDocument.Parse(m["fleet/cam9 ".Length..]);
                if (!d.RootElement.TryGetProperty("seq", out JsonElement seq))
                {
                    continue; // a health event, not a frame
                }

                Assert.Equal("cam9", d.RootElement.GetProperty("id").GetString());
                Assert.Equal("n7", d.RootElement.GetProperty("node").GetString());
                Assert.Equal(expected++, seq.GetInt64());
            }

            Assert.Equal(Frames + 1, expected);
            Assert.Equal(130, node.Interrupt());
        }
        finally
        {
            ChildProcess.Stop(subscriber);
        }
    }

    private static async Task<List<string>> IdsAsync(ServeNode node)
    {
        (_, JsonElement list) = await node.SendAsync(HttpMethod.Get, "api/streams");
        return [.. list.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
    }

    private static long Counter(ServeNode node, string id, string name)
    {
        (int status, JsonElement body) = node.SendAsync(HttpMethod.Get, "api/streams/" + id).GetAwaiter().GetResult();
        return status == 200 ? body.GetProperty("counters").GetProperty(name).GetInt64() : -1;
    }

    private static int SourceIndex(string line)
    {
        using JsonDocument d = JsonDocument.Parse(line);
        return d.RootElement.GetProperty("source_index").GetInt32();
    }

    private static (long Index, string Tracks) Frame(string line)
    {
        using JsonDocument d = JsonDocument.Parse(line);
        var tracks = new List<string>();
        foreach (JsonElement instance in d.RootElement.GetProperty("instances").EnumerateArray())
        {
            tracks.Add(instance.TryGetProperty("track_id", out JsonElement t) ? t.GetRawText() : "-");
        }

        return (d.RootElement.GetProperty("frame").GetInt64(), string.Join(',', tracks));
    }
}
