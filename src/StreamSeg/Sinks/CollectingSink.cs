using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>A sink that keeps a copy of every frame's metadata (and optionally its image), for tests: the <c>fakesink</c> of StreamSeg.</summary>
/// <remarks>Not meant for production: it grows without bound. Thread-safe for one writer and any number of readers.</remarks>
public sealed class CollectingSink : ISink
{
    private readonly CollectingSinkOptions _options;
    private readonly List<CollectedFrame> _frames = [];
    private bool _disposed;

    /// <summary>Creates the sink with default options.</summary>
    public CollectingSink()
        : this(new CollectingSinkOptions())
    {
    }

    /// <summary>Creates the sink.</summary>
    public CollectingSink(CollectingSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets whether <see cref="CompleteAsync"/> has been called.</summary>
    public bool Completed { get; private set; }

    /// <summary>Gets a snapshot of the frames collected so far, in arrival order.</summary>
    public IReadOnlyList<CollectedFrame> Frames
    {
        get
        {
            lock (_frames)
            {
                return [.. _frames];
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        FrameMetadata m = frame.Meta;
        var copy = new CollectedFrame(
            m.SourceId, m.SourceIndex, m.Index, m.Pts, m.CaptureTime, m.Discontinuity, (double[])m.Timings.Clone(),
            frame.Width, frame.Height, Keepable(frame.Instances), _options.CopyImages ? frame.Image.Clone() : null);
        lock (_frames)
        {
            _frames.Add(copy);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Completed = true;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        lock (_frames)
        {
            foreach (CollectedFrame f in _frames)
            {
                f.Image?.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Returns <paramref name="instances"/> with its pooled masks copied, so that it stays valid after the frame is released.</summary>
    private static Instances? Keepable(Instances? instances)
    {
        InstanceMask?[]? masks = instances?.Masks;
        if (instances is null || masks is null || Array.TrueForAll(masks, static m => m is null || !m.IsPooled))
        {
            return instances;
        }

        var copies = new InstanceMask?[masks.Length];
        for (int i = 0; i < masks.Length; i++)
        {
            copies[i] = masks[i] is { IsPooled: true } pooled ? pooled.Clone() : masks[i];
        }

        return new Instances(
            instances.Boxes, instances.Scores, instances.ClassIds, copies, instances.Keypoints, instances.KeypointsPerInstance,
            instances.TrackIds, instances.ClassNames);
    }
}
