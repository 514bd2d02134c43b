using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;
using StreamSeg.Web;

namespace StreamSeg.Tests.Web;

/// <summary>A started web view on a free loopback port, fed synthetic frames the way the pipeline runner feeds a sink.</summary>
internal sealed class WebViewHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _nextIndex = new long[8];
    private Task? _feeder;

    private WebViewHarness(WebViewOptions options, WebViewSinkOptions? sinkOptions, ILoggerFactory? loggerFactory)
    {
        Metrics = new PipelineMetrics();
        Stats = new PipelineStats(Metrics) { Provider = "CPU" };
        Sink = new WebViewSink(sinkOptions);
        Server = new WebViewServer(options with { Endpoint = new IPEndPoint(IPAddress.Loopback, 0) }, Sink, Stats, loggerFactory);
    }

    public PipelineMetrics Metrics { get; }

    public PipelineStats Stats { get; }

    public WebViewSink Sink { get; }

    public WebViewServer Server { get; }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Draws the picture of one fed frame (source index and frame index given) and may replace its instances; the default is a moving square on grey.</summary>
    public Action<Frame, int, long>? Draw { get; init; }

    public static async Task<WebViewHarness> StartAsync(WebViewOptions? options = null, WebViewSinkOptions? sinkOptions = null, Action<Frame, int, long>? draw = null, ILoggerFactory? loggerFactory = null)
    {
        var harness = new WebViewHarness(options ?? new WebViewOptions(), sinkOptions, loggerFactory) { Draw = draw };
        await harness.Server.StartAsync();
        harness.Client = new HttpClient { BaseAddress = harness.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return harness;
    }

    /// <summary>Writes <paramref name="count"/> frames of source <paramref name="source"/>, each with two tracked instances.</summary>
    public async Task FeedAsync(int count, int source = 0, int width = 160, int height = 120)
    {
        for (int i = 0; i < count; i++)
        {
            await WriteOneAsync(source, width, height);
        }
    }

    /// <summary>Feeds frames of every source in <paramref name="sources"/> every <paramref name="interval"/> until disposed.</summary>
    public void StartFeeding(TimeSpan interval, int sources = 1, int width = 160, int height = 120)
    {
        _feeder = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                for (int s = 0; s < sources; s++)
                {
                    await WriteOneAsync(s, width, height);
                }

                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_feeder is not null)
        {
            await _feeder;
        }

        Client?.Dispose();
        await Server.DisposeAsync();
        await Sink.DisposeAsync();
        Metrics.Dispose();
        _stop.Dispose();
    }

    private async Task WriteOneAsync(int source, int width, int height)
    {
        long index = _nextIndex[source]++;
        using Frame frame = Frame.CreateUnpooled(new Mat(height, width, MatType.CV_8UC3, new Scalar(60, 60, 60)));
        if (Draw is null)
        {
            int x = (int)(index * 4 % Math.Max(1, width - 30));
            Cv2.Rectangle(frame.Image, new Rect(x, height / 3, 30, 30), new Scalar(0, 200, 255), -1);
        }

        FrameMetadata meta = frame.Meta;
        meta.SourceId = source == 0 ? "cam0" : $"clip{source}.mp4";
        meta.SourceIndex = source;
        meta.Index = index;
        meta.CaptureTimestamp = Stopwatch.GetTimestamp() - (Stopwatch.Frequency / 50);
        meta.Timings[(int)PipelineStage.Capture] = 1.5;
        meta.Timings[(int)PipelineStage.Inference] = 12;
        Stats.CountIn();
        Stats.RecordStage(PipelineStage.Capture, 1.5);
        Stats.RecordStage(PipelineStage.Inference, 12);
        frame.Instances = new Instances(
            [new BoxF(1, 1, 20, 20), new BoxF(30, 30, 50, 50), new BoxF(60, 60, 70, 70)],
            [0.9f, 0.8f, 0.3f],
            [0, 0, 0],
            trackIds: [3, 7, -1]);
        Draw?.Invoke(frame, source, index);
        Stats.CountOut(meta.CaptureTimestamp);
        await Sink.WriteAsync(frame, CancellationToken.None);
    }
}
