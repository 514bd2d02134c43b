using System.Text.Json;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg serve</c>'s <c>--max-streams</c> against streams that ended, and the <c>loop</c> key of a stream.</summary>
public class ServeCapacityTests
{
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task An_ended_stream_takes_no_max_streams_slot_but_a_live_one_does()
    {
        using var dir = new TempDirectory();
        string shortClip = CliRunner.MakeVideo(dir.File("short.avi"), 160, 120, 10);
        string clip = CliRunner.MakeVideo(dir.File("clip.avi"), 160, 120, 25, fps: 5);
        using ServeNode node = ServeNode.Start("--node", "n1", "--max-streams", "1");
        await node.AddAsync(new { id = "done", source = shortClip });
        await node.WaitForStateAsync("done", "ended", s_long);

        // The ended stream stays listed (until deleted) but runs no more: the slot is free.
        await node.AddAsync(new { id = "cam", source = clip, loop = true });
        (int status, JsonElement body) = await node.SendAsync(HttpMethod.Post, "api/streams", $$"""{"id":"more","source":"{{clip}}"}""");
        Assert.Equal(429, status);
        Assert.Contains("--max-streams 1", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(130, node.Interrupt());
    }

    [Fact]
    public async Task A_looping_stream_runs_live_past_its_file_and_loop_is_refused_where_it_cannot_apply()
    {
        using var dir = new TempDirectory();
        string clip = CliRunner.MakeVideo(dir.File("clip.avi"), 160, 120, 10, fps: 10);
        using ServeNode node = ServeNode.Start("--node", "n1");
        (int status, JsonElement body) = await node.SendAsync(HttpMethod.Post, "api/streams", $$"""{"id":"a","source":"{{clip}}","loop":"yes"}""");
        Assert.Equal(400, status);
        Assert.Equal("loop: must be true or false", body.GetProperty("error").GetString());
        (status, body) = await node.SendAsync(HttpMethod.Post, "api/streams", """{"id":"b","source":"rtsp://127.0.0.1:1/x","loop":true}""");
        Assert.Equal(400, status);
        Assert.Equal("loop: only a video file can be looped", body.GetProperty("error").GetString());

        // Ten frames at 10 fps, read as a camera: after 2.5 s it is still live, paced (not read flat out), and past its end.
        await node.AddAsync(new { id = "cam", source = clip, loop = true });
        await Task.Delay(2500);
        JsonElement cam = await node.WaitForStateAsync("cam", "live", s_long);
        long frames = cam.GetProperty("counters").GetProperty("frames_in").GetInt64();
        Assert.InRange(frames, 12, 40);
        Assert.Equal(130, node.Interrupt());
    }
}
