using StreamSeg.Capture;

namespace StreamSeg.Tests.Capture;

public class UrlRedactorTests
{
    [Theory]
    [InlineData("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1")]
    [InlineData("rtsp://user@cam/x", "rtsp://***@cam/x")]
    [InlineData("could not open 'http://a:b@h/p' and rtsp://c:d@e/f", "could not open 'http://***@h/p' and rtsp://***@e/f")]
    [InlineData("rtsp://cam.local/live", "rtsp://cam.local/live")]
    [InlineData("/videos/me@home.mp4", "/videos/me@home.mp4")]
    public void Redact_RemovesCredentialsOnly(string input, string expected) => Assert.Equal(expected, UrlRedactor.Redact(input));

    [Fact]
    public void SourceException_MessageIsRedacted()
    {
        var ex = new SourceException("Source 'rtsp://u:p4ss@h/x': refused");
        Assert.DoesNotContain("p4ss", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://h/x", SourceKind.Stream)]
    [InlineData("HTTP://h/x.mjpg", SourceKind.Stream)]
    [InlineData("camera:0", SourceKind.Camera)]
    [InlineData("/dev/video2", SourceKind.Camera)]
    [InlineData("/no/such/file.mp4", SourceKind.File)]
    [InlineData("camera:x", SourceKind.File)]
    public void Classify_RecognisesKinds(string uri, SourceKind kind) => Assert.Equal(kind, SourceFactory.Classify(uri));

    [Fact]
    public void Classify_Folder_IsImageFolder() => Assert.Equal(SourceKind.ImageFolder, SourceFactory.Classify(Path.GetTempPath()));

    [Fact]
    public void Open_MissingFile_NamesFileAndExpectation()
    {
        using IFrameSource source = SourceFactory.Create(new SourceOptions("/no/such/clip.mp4"));
        SourceException ex = Assert.Throws<SourceException>(source.Open);
        Assert.Contains("/no/such/clip.mp4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("file not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NotAVideo_SaysSo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"streamseg-not-video-{Guid.NewGuid():N}.mp4");
        File.WriteAllText(path, "this is text, not video");
        try
        {
            using IFrameSource source = SourceFactory.Create(new SourceOptions(path));
            SourceException ex = Assert.Throws<SourceException>(() =>
            {
                source.Open();
                using var m = new OpenCvSharp.Mat();
                source.Read(m, out _);
            });
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_RefusedRtsp_FailsWithinTimeoutAndRedacts()
    {
        // Port 9 on loopback: nothing listens, so the connection is refused at once.
        using IFrameSource source = SourceFactory.Create(new SourceOptions("rtsp://bob:hunter2@127.0.0.1:9/live", OpenTimeout: TimeSpan.FromSeconds(3)));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        SourceException ex = Assert.Throws<SourceException>(source.Open);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"open took {sw.Elapsed}");
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@127.0.0.1:9/live", ex.Message, StringComparison.Ordinal);
    }
}
