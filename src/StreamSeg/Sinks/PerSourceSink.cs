using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>
/// Routes each source's frames to a sink of its own, created on the source's first frame (for example one MP4 per
/// camera), and completes them all together.
/// </summary>
public sealed class PerSourceSink : ISink
{
    private readonly Func<FrameMetadata, ISink> _create;
    private readonly Dictionary<int, ISink> _sinks = [];

    /// <summary>Creates the router; <paramref name="create"/> makes the sink of a source from its first frame's metadata.</summary>
    public PerSourceSink(string name, Func<FrameMetadata, ISink> create)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(create);
        Name = name;
        _create = create;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the sinks created so far, by source index.</summary>
    public IReadOnlyDictionary<int, ISink> Sinks => _sinks;

    /// <inheritdoc/>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!_sinks.TryGetValue(frame.Meta.SourceIndex, out ISink? sink))
        {
            sink = _create(frame.Meta);
            _sinks[frame.Meta.SourceIndex] = sink;
        }

        return sink.WriteAsync(frame, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        List<Exception>? errors = null;
        foreach (ISink sink in _sinks.Values)
        {
            try
            {
                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Finalise every other output before reporting: one bad file must not leave the others unplayable.
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (ISink sink in _sinks.Values)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }

        _sinks.Clear();
    }
}
