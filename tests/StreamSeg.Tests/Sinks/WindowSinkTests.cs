using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

public class WindowSinkTests
{
    [Fact]
    public async Task NoDisplay_IsNoOpThatSaysSoOnce()
    {
        using var log = new StringWriter();
        await using var sink = new WindowSink(new WindowSinkOptions(), static _ => null, new TextWriterLogger<WindowSink>(log));
        using Frame frame = TestFrames.Solid(32, 24, Scalar.Black);

        for (int i = 0; i < 3; i++)
        {
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        await sink.CompleteAsync(CancellationToken.None);

        Assert.False(sink.IsActive);
        Assert.False(sink.CloseRequested);
        string text = log.ToString();
        Assert.Contains("no display", text, StringComparison.OrdinalIgnoreCase);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task EmptyDisplayVariables_CountAsNoDisplay()
    {
        using var log = new StringWriter();
        await using var sink = new WindowSink(new WindowSinkOptions(), static _ => string.Empty, new TextWriterLogger<WindowSink>(log));
        Assert.False(sink.IsActive);
    }
}
