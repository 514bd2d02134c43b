using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

/// <summary>MessageSink + MqttPublisher against a real mosquitto broker on a free loopback port, watched by mosquitto_sub.</summary>
public class MqttSinkTests
{
    private const string Source = "cam0";

    [MosquittoFact]
    public async Task MessageSink_BrokerKilledAndRestarted_OneMessagePerFrameNeverBlocksAndRecovers()
    {
        using var dir = new TempDirectory();
        var log = new StringWriter();
        MosquittoBroker? broker = null;
        Subscriber? subscriber = null;
        MessageSink? sink = null;
        try
        {
            broker = MosquittoBroker.Start(dir);
            int port = broker.Port;
            await WaitUntilAsync(() => Ports.Accepts(port), TimeSpan.FromSeconds(5), "the broker to listen");
            subscriber = Subscriber.Start(port);
            await WaitUntilAsync(() => subscriber.Subscriptions >= 1, TimeSpan.FromSeconds(5), "mosquitto_sub to subscribe");

            MqttPublisherOptions options = MqttPublisherOptions.FromUrl($"mqtt://user:s3cret@127.0.0.1:{port}/streamseg?client_id=streamseg-test");
            var reconnect = ReconnectPolicy.Default with { MaxDelay = TimeSpan.FromSeconds(1) };
            sink = new MessageSink(new MqttPublisher(options, new TextWriterLogger<MqttPublisher>(log)), new MessageSinkOptions { Capacity = 8, Reconnect = reconnect });
            await WaitUntilAsync(() => sink.IsConnected, TimeSpan.FromSeconds(5), "the sink to connect");

            // Before the outage: every frame arrives exactly once.
            var writeTimes = new List<TimeSpan>();
            await WriteFramesAsync(sink, 0, 20, writeTimes);
            await WaitUntilAsync(() => subscriber.Count >= 20, TimeSpan.FromSeconds(5), "20 messages");
            await Task.Delay(200);
            Assert.Equal(Enumerable.Range(0, 20), subscriber.FrameIndices());

            // The outage: writing goes on, never blocks or throws, and messages are dropped and counted.
            broker.Kill();
            await WriteFramesAsync(sink, 20, 60, writeTimes);
            await WaitUntilAsync(() => sink.Dropped > 0, TimeSpan.FromSeconds(5), "drops to be counted");
            Assert.False(sink.IsConnected);

            // The broker comes back on the same port: the publisher reconnects and frames flow again.
            broker.Restart();
            await WaitUntilAsync(() => sink.IsConnected && subscriber.Subscriptions >= 2, TimeSpan.FromSeconds(10), "the sink and mosquitto_sub to reconnect");
            await Task.Delay(200);
            await WriteFramesAsync(sink, 60, 80, writeTimes);
            await WaitUntilAsync(() => subscriber.FrameIndices().Count(i => i >= 60) >= 20, TimeSpan.FromSeconds(5), "frames 60-79 after the restart");
            await sink.CompleteAsync(CancellationToken.None);

            // Warm-up (JIT) aside, enqueuing a frame takes well under a few milliseconds whatever the broker does.
            Assert.True(writeTimes.Skip(1).Max() < TimeSpan.FromMilliseconds(50), $"slowest WriteAsync took {writeTimes.Skip(1).Max().TotalMilliseconds} ms");
            int[] received = subscriber.FrameIndices();
            Assert.Equal(received.Length, received.Distinct().Count());
            Assert.Equal(Enumerable.Range(60, 20), received.Where(i => i >= 60));
            Assert.All(received, i => Assert.InRange(i, 0, 79));
            Assert.Equal(80, sink.Enqueued);
            Assert.Equal(80, sink.Published + sink.Dropped);
            Assert.True(sink.Dropped >= 60 - 20 - 8 - 1, $"dropped {sink.Dropped}: at most the outbox (8) and one in-flight message of frames 20-59 can survive the outage");
            Assert.Equal(0, sink.Pending);

            string text = log.ToString();
            Assert.Contains("mqtt: connected to mqtt://***@127.0.0.1:" + port + "/streamseg", text, StringComparison.Ordinal);
            Assert.Contains("mqtt: disconnected from", text, StringComparison.Ordinal);
            Assert.Contains("mqtt: reconnecting to", text, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", sink.LastError ?? string.Empty, StringComparison.Ordinal);
        }
        finally
        {
            // Every child process dies here, whatever failed above, so that no broker outlives the test.
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }

            subscriber?.Dispose();
            broker?.Dispose();
        }
    }

    [MosquittoFact]
    public async Task MqttPublisher_NoBroker_ConnectFailsFastWithoutCredentials()
    {
        int port = Ports.Free();
        var log = new StringWriter();
        await using var publisher = new MqttPublisher(MqttPublisherOptions.FromUrl($"mqtt://user:s3cret@127.0.0.1:{port}/x") with { ConnectTimeout = TimeSpan.FromSeconds(2) }, new TextWriterLogger<MqttPublisher>(log));
        var clock = Stopwatch.StartNew();
        IOException ex = await Assert.ThrowsAsync<IOException>(async () => await publisher.ConnectAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"connect took {clock.Elapsed}");
        Assert.False(publisher.IsConnected);
        Assert.False(await publisher.TryPublishAsync("t", default, new byte[] { 1 }));
        Assert.Contains("mqtt://***@127.0.0.1:" + port, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("mqtt: cannot connect to", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromUrl_FullUrl_ParsesEveryPart()
    {
        MqttPublisherOptions o = MqttPublisherOptions.FromUrl("mqtt://al%40ice:p%3Aw@broker.local:1999/site/a/streamseg/?qos=1&client_id=cam-7&version=3.1.1");
        Assert.Equal("broker.local", o.Host);
        Assert.Equal(1999, o.Port);
        Assert.Equal("al@ice", o.UserName);
        Assert.Equal("p:w", o.Password);
        Assert.Equal("site/a/streamseg", o.TopicPrefix);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, o.QualityOfService);
        Assert.Equal("cam-7", o.ClientId);
        Assert.Equal(MqttProtocolVersion.V311, o.ProtocolVersion);
        Assert.Equal("mqtt://***@broker.local:1999/site/a/streamseg", o.DisplayUrl());
    }

    [Fact]
    public void FromUrl_Minimal_Defaults()
    {
        MqttPublisherOptions o = MqttPublisherOptions.FromUrl("mqtt://host");
        Assert.Equal(("host", 1883, null, null, string.Empty), (o.Host, o.Port, o.UserName, o.Password, o.TopicPrefix));
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, o.QualityOfService);
        Assert.Equal(MqttProtocolVersion.V500, o.ProtocolVersion);
        Assert.Null(o.ClientId);
        Assert.Equal("mqtt://host:1883/", o.DisplayUrl());
        Assert.Equal("[::1]", MqttPublisherOptions.FromUrl("mqtt://[::1]:1884/t").DisplayUrl()[7..12]);
        Assert.Equal("mqtt://***@host:1883/", new MqttPublisher(MqttPublisherOptions.FromUrl("mqtt://u:p@host")).Name);
    }

    [Theory]
    [InlineData("http://user:s3cret@host/x", "not an MQTT URL")]
    [InlineData("mqtt://user:s3cret@host/x?qos=2", "qos must be 0 or 1")]
    [InlineData("mqtt://user:s3cret@host/x?version=6", "version must be 5 or 3.1.1")]
    [InlineData("mqtt://user:s3cret@host/x?retain=1", "unknown parameter 'retain'")]
    [InlineData("mqtt://user:s3cret@host/a/%23", "wildcard")]
    [InlineData("user:s3cret@host", "not an MQTT URL")]
    public void FromUrl_Invalid_ThrowsWithoutCredentials(string url, string expected)
    {
        FormatException ex = Assert.Throws<FormatException>(() => MqttPublisherOptions.FromUrl(url));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{source}", "cam0", "cam0")]
    [InlineData("{source}", "rtsp://***@cam/live+1#a b", "rtsp_______cam_live_1_a_b")]
    [InlineData("frames/{source}/json", "vtest.avi", "frames/vtest.avi/json")]
    [InlineData("streamseg.frames", "camera:0", "streamseg.frames")]
    [InlineData("{source}", "", "_")]
    public void FormatTopic_SourceId_SafeTopic(string template, string source, string expected) =>
        Assert.Equal(expected, MessageSink.FormatTopic(template, source));

    private static async Task WriteFramesAsync(MessageSink sink, int from, int to, List<TimeSpan> writeTimes)
    {
        for (int i = from; i < to; i++)
        {
            using Frame frame = CreateFrame(i);
            var clock = Stopwatch.StartNew();
            await sink.WriteAsync(frame, CancellationToken.None);
            writeTimes.Add(clock.Elapsed);
            await Task.Delay(10);
        }
    }

    private static Frame CreateFrame(int index)
    {
        Frame frame = Frame.CreateUnpooled(new Mat(48, 64, MatType.CV_8UC3, Scalar.Black));
        frame.Meta.SourceId = Source;
        frame.Meta.Index = index;
        frame.Meta.Pts = TimeSpan.FromMilliseconds(index * 40);
        if (index % 3 != 0)
        {
            var mask = new InstanceMask(10 + (index % 7), 5, 8, 8, Enumerable.Repeat((byte)1, 64).ToArray());
            frame.Instances = new Instances(
                [new BoxF(10, 5, 18, 13), new BoxF(30, 20, 40, 40)],
                [0.9f, 0.5f],
                [0, 0],
                [mask, null],
                null,
                keypointsPerInstance: 0,
                trackIds: [index, index + 1000],
                classNames: ["person"]);
        }

        return frame;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>mosquitto_sub on <c>streamseg/#</c> in debug mode (it re-subscribes after a broker restart and says so), collecting the messages.</summary>
    private sealed class Subscriber : IDisposable
    {
        private readonly ConcurrentQueue<(string Topic, string Payload)> _messages = new();
        private Process? _process;
        private int _subscriptions;

        public int Subscriptions => Volatile.Read(ref _subscriptions);

        public int Count => _messages.Count;

        public static Subscriber Start(int port)
        {
            // mosquitto_sub flushes stdout only after a message; stdbuf makes its debug lines ("Subscribed …") arrive at once.
            var subscriber = new Subscriber();
            subscriber._process = ChildProcess.Start(
                "stdbuf",
                ["-oL", MosquittoFactAttribute.Find("mosquitto_sub")!, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "streamseg/#", "-v", "-d", "-i", "streamseg-test-sub"],
                subscriber.OnLine);
            return subscriber;
        }

        /// <summary>Checks every message (topic, schema, source) and returns the frame indices in arrival order.</summary>
        public int[] FrameIndices()
        {
            var indices = new List<int>();
            foreach ((string topic, string payload) in _messages)
            {
                Assert.Equal("streamseg/" + Source, topic);
                using JsonDocument doc = JsonDocument.Parse(payload);
                JsonElement root = doc.RootElement;
                Assert.Equal("streamseg.frame/1", root.GetProperty("schema").GetString());
                Assert.Equal(Source, root.GetProperty("source").GetString());
                int index = root.GetProperty("frame").GetInt32();
                Assert.Equal(index % 3 == 0 ? 0 : 2, root.GetProperty("instances").GetArrayLength());
                indices.Add(index);
            }

            return [.. indices];
        }

        public void Dispose() => ChildProcess.Stop(_process);

        private void OnLine(string line)
        {
            if (line.StartsWith("Subscribed (mid", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _subscriptions);
            }
            else if (line.StartsWith("streamseg/", StringComparison.Ordinal))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                _messages.Enqueue((line[..space], line[(space + 1)..]));
            }
        }
    }
}
