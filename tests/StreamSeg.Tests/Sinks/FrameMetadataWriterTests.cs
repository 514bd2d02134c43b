using System.Buffers;
using System.Text;
using StreamSeg.Frames;
using StreamSeg.Sinks;

namespace StreamSeg.Tests.Sinks;

public class FrameMetadataWriterTests
{
    [Theory]
    [InlineData("counts", RleFormat.Counts, true)]
    [InlineData("string", RleFormat.String, true)]
    [InlineData("nomasks", RleFormat.Counts, false)]
    public async Task Write_GoldenFrames_SameBytesAsTheSinkBeforeTheRefactor(string name, RleFormat format, bool includeMasks)
    {
        string[] expected = (await File.ReadAllTextAsync(NdjsonMetadataSinkTests.GoldenPath(name))).TrimEnd('\n').Split('\n');
        using var writer = new FrameMetadataWriter(new FrameMetadataWriterOptions { RleFormat = format, IncludeMasks = includeMasks });
        var buffer = new ArrayBufferWriter<byte>(16);
        int i = 0;
        foreach (Frame frame in NdjsonMetadataSinkTests.CreateGoldenFrames())
        {
            using (frame)
            {
                buffer.ResetWrittenCount();
                int written = writer.Write(frame, buffer);
                Assert.Equal(buffer.WrittenCount, written);
                Assert.Equal(expected[i++], Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }

        Assert.Equal(expected.Length, i);
    }

    [Fact]
    public void Write_WithNode_StampsIdNodeAndAPerSourceSeqFromOne()
    {
        using var writer = new FrameMetadataWriter(new FrameMetadataWriterOptions { Node = "n1" });
        var buffer = new ArrayBufferWriter<byte>();
        var seen = new List<(int Source, string Id, string Node, long Seq)>();
        foreach ((int source, string id) in new[] { (3, "a"), (3, "a"), (5, "b"), (3, "a"), (5, "b") })
        {
            using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
            frame.Meta.SourceIndex = source;
            frame.Meta.SourceId = id;
            buffer.ResetWrittenCount();
            writer.Write(frame, buffer);
            using var json = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
            System.Text.Json.JsonElement root = json.RootElement;
            seen.Add((source, root.GetProperty("id").GetString()!, root.GetProperty("node").GetString()!, root.GetProperty("seq").GetInt64()));
        }

        Assert.Equal([(3, "a", "n1", 1L), (3, "a", "n1", 2L), (5, "b", "n1", 1L), (3, "a", "n1", 3L), (5, "b", "n1", 2L)], seen);
    }

    [Fact]
    public void Write_WithoutNode_LeavesTheServiceFieldsOut()
    {
        using var writer = new FrameMetadataWriter();
        var buffer = new ArrayBufferWriter<byte>();
        using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
        writer.Write(frame, buffer);
        string text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.DoesNotContain("\"seq\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"node\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterExistingContent_AppendsOneObject()
    {
        using var writer = new FrameMetadataWriter();
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("prefix "u8);
        using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
        int written = writer.Write(frame, buffer);
        Assert.Equal(buffer.WrittenCount - "prefix ".Length, written);
        Assert.StartsWith("prefix {\"schema\":\"streamseg.frame/1\"", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RepeatedFrames_AllocatesNothingOnceWarm()
    {
        using var writer = new FrameMetadataWriter(new FrameMetadataWriterOptions { RleFormat = RleFormat.String });
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
        for (int i = 0; i < 3; i++)
        {
            buffer.ResetWrittenCount();
            writer.Write(frame, buffer);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            buffer.ResetWrittenCount();
            writer.Write(frame, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Write_AfterDispose_Throws()
    {
        var writer = new FrameMetadataWriter();
        writer.Dispose();
        writer.Dispose();
        using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(frame, new ArrayBufferWriter<byte>()));
    }
}
