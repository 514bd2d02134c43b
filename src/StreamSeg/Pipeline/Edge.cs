using System.Threading.Channels;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// A bounded channel of frames between two stages, with a named drop policy and counters
/// (<see cref="Depth"/>, <see cref="Dropped"/>, <see cref="Written"/>).
/// </summary>
/// <remarks>
/// Writing a frame transfers its ownership to the edge; a frame the edge drops is disposed, which returns it to its
/// pool. The reader flags the first frame it reads after a gap in a source's frame indices as a discontinuity, so a
/// drop anywhere upstream (or at this edge) is always visible downstream, like GStreamer's DISCONT flag.
/// Only the pipeline runner reads and writes edges; stages never see them.
/// </remarks>
public sealed class Edge
{
    private readonly Channel<Frame> _channel;
    private readonly Dictionary<int, long> _lastIndexBySource = [];
    private long _dropped;
    private long _written;

    /// <summary>Creates an edge named <paramref name="name"/>.</summary>
    public Edge(string name, EdgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Capacity);
        Name = name;
        Options = options;
        var channelOptions = new BoundedChannelOptions(options.Capacity)
        {
            FullMode = options.Policy switch
            {
                FrameDropPolicy.DropOldest => BoundedChannelFullMode.DropOldest,
                FrameDropPolicy.DropNewest => BoundedChannelFullMode.DropWrite,
                _ => BoundedChannelFullMode.Wait,
            },
            SingleReader = true,
            SingleWriter = false,
        };
        _channel = Channel.CreateBounded<Frame>(channelOptions, OnDropped);
    }

    /// <summary>Gets the edge's name (for example <c>capture→preprocess</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the capacity and policy.</summary>
    public EdgeOptions Options { get; }

    /// <summary>Gets how many frames are queued now.</summary>
    public int Depth => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    /// <summary>Gets how many frames this edge has dropped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many frames have been written to this edge.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Writes <paramref name="frame"/>, waiting for room under <see cref="FrameDropPolicy.Wait"/>. Ownership passes to the edge.</summary>
    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _written);
        }
        catch
        {
            // The edge did not take the frame (cancelled or completed), so it is still ours to release.
            frame.Dispose();
            throw;
        }
    }

    /// <summary>Reads every frame until the writer completes; flags discontinuities. The caller owns each frame it gets.</summary>
    public async IAsyncEnumerable<Frame> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChannelReader<Frame> reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out Frame? frame))
            {
                MarkDiscontinuity(frame);
                yield return frame;
            }
        }
    }

    /// <summary>
    /// Waits until a frame can be read; false once the writer has completed and the edge is empty. Throws the
    /// writer's fault, like <see cref="ReadAllAsync"/>.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes a frame that is queued now, without waiting; flags a discontinuity. The caller owns the frame it gets.</summary>
    public bool TryRead([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Frame? frame)
    {
        if (_channel.Reader.TryRead(out frame))
        {
            MarkDiscontinuity(frame);
            return true;
        }

        return false;
    }

    /// <summary>Marks the end of the stream, optionally with the fault that ended it.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Releases frames still queued (after a cancelled run).</summary>
    public void DrainAndDispose()
    {
        while (_channel.Reader.TryRead(out Frame? frame))
        {
            frame.Dispose();
        }
    }

    private void MarkDiscontinuity(Frame frame)
    {
        int source = frame.Meta.SourceIndex;
        if (_lastIndexBySource.TryGetValue(source, out long last) && frame.Meta.Index != last + 1)
        {
            frame.Meta.Discontinuity = true;
        }

        _lastIndexBySource[source] = frame.Meta.Index;
    }

    private void OnDropped(Frame frame)
    {
        Interlocked.Increment(ref _dropped);
        frame.Dispose();
    }
}
