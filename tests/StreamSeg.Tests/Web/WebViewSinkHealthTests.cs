using StreamSeg.Capture;
using StreamSeg.Web;

namespace StreamSeg.Tests.Web;

public class WebViewSinkHealthTests
{
    [Fact]
    public void WriteHealth_ReconnectingSource_IsDegradedUntilLiveAgain()
    {
        var sink = new WebViewSink();
        sink.RegisterSource(0, "cam");
        sink.WriteHealth(new SourceStateChange("cam", 0, SourceState.Reconnecting, DateTimeOffset.UtcNow, null, 0));
        StreamStatus down = Assert.Single(sink.GetStatus());
        Assert.Equal("reconnecting", down.SourceState);
        Assert.NotEqual(StreamHealth.Ready, down.Health);

        sink.WriteHealth(new SourceStateChange("cam", 0, SourceState.Live, DateTimeOffset.UtcNow, null, 1, TimeSpan.FromSeconds(3)));
        StreamStatus up = Assert.Single(sink.GetStatus());
        Assert.Equal("live", up.SourceState);
        Assert.Equal(1, up.Reconnects);
    }
}
