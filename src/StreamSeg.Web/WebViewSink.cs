using StreamSeg.Sinks;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Web;

/// <summary>Keeps the latest annotated frame of every source as a JPEG, with live figures, for the <see cref="WebViewServer"/>.</summary>
/// <remarks>
/// <para>One sink serves all sources of a run. On each frame it updates the source's figures (frame index, fps,
/// capture-to-sink latency percentiles over the last <see cref="WebViewSinkOptions.LatencyWindow"/> frames, recent
/// per-stage times from <see cref="FrameMetadata.Timings"/>, index gaps as drops, active tracks = instances with a
/// track id). It JPEG-encodes the frame (at <see cref="WebViewSinkOptions.JpegQuality"/>, downscaled to
/// <see cref="WebViewSinkOptions.MaxWidth"/>) only while an MJPEG client is connected or a snapshot was asked for in
/// the last <see cref="WebViewSinkOptions.DemandLinger"/>, so an unwatched view costs almost nothing.</para>
/// <para>It never waits for the network: encoding happens on the sink loop, and publishing swaps a reference-counted
/// pooled buffer, so a slow client gets the latest frame when it is ready and skips the ones in between. Give it a
/// short <see cref="FrameDropPolicy.DropOldest"/> edge (for example capacity 2) so that a slow encoder never holds up
/// the file outputs. Options cannot change while running. Example:
/// <c>new SinkBinding(new WebViewSink(WebViewSinkOptions.Default with { JpegQuality = 70 }), new EdgeOptions(2, FrameDropPolicy.DropOldest))</c>.</para>
/// </remarks>
public sealed class WebViewSink : ISink, IHealthSink
{
    private readonly WebViewSinkOptions _options;
    private readonly object _gate = new();
    private StreamView[] _streams = [];
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink.</summary>
    public WebViewSink(WebViewSinkOptions? options = null)
    {
        options ??= WebViewSinkOptions.Default;
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets whether the run has ended (<see cref="CompleteAsync"/> was called).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>Announces a source before its first frame, so that <c>/health</c> reports it as starting rather than missing.</summary>
    public void RegisterSource(int sourceIndex, string sourceId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceIndex);
        ArgumentNullException.ThrowIfNull(sourceId);
        GetOrAdd(sourceIndex, sourceId);
    }

    /// <summary>Forgets a source that has left the pipeline (its card and its <c>/health</c> entry go).</summary>
    public void RemoveSource(int sourceIndex)
    {
        lock (_gate)
        {
            StreamView? gone = Array.Find(_streams, s => s.Index == sourceIndex);
            if (gone is null)
            {
                return;
            }

            Volatile.Write(ref _streams, Array.FindAll(_streams, s => s.Index != sourceIndex));
            gone.End();
        }
    }

    /// <inheritdoc/>
    /// <remarks>The stream's card and <c>/health</c> show the source's state (reconnecting sources are degraded).</remarks>
    public void WriteHealth(SourceStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        GetOrAdd(change.SourceIndex, change.SourceId).SetSourceState(change.State, change.Reconnects);
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        StreamView view = GetOrAdd(frame.Meta.SourceIndex, frame.Meta.SourceId);
        view.Update(frame, Stopwatch.GetTimestamp());
        if (view.HasDemand)
        {
            view.Publish(frame);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _completed, true);
        foreach (StreamView view in Volatile.Read(ref _streams))
        {
            view.End();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the live figures of every stream, in source order.</summary>
    public IReadOnlyList<StreamStatus> GetStatus()
    {
        long now = Stopwatch.GetTimestamp();
        StreamView[] streams = Volatile.Read(ref _streams);
        var result = new List<StreamStatus>(streams.Length);
        foreach (StreamView view in streams)
        {
            result.Add(view.GetStatus(now));
        }

        return result;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        foreach (StreamView view in Volatile.Read(ref _streams))
        {
            view.End();
            view.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Finds a stream by its index (<c>0</c>) or its exact source id.</summary>
    internal bool TryGetStream(string key, [MaybeNullWhen(false)] out StreamView view)
    {
        StreamView[] streams = Volatile.Read(ref _streams);
        if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            foreach (StreamView s in streams)
            {
                if (s.Index == index)
                {
                    view = s;
                    return true;
                }
            }
        }

        foreach (StreamView s in streams)
        {
            if (string.Equals(s.Id, key, StringComparison.Ordinal))
            {
                view = s;
                return true;
            }
        }

        view = null;
        return false;
    }

    private StreamView GetOrAdd(int sourceIndex, string sourceId)
    {
        StreamView[] streams = Volatile.Read(ref _streams);
        foreach (StreamView s in streams)
        {
            if (s.Index == sourceIndex)
            {
                return s;
            }
        }

        lock (_gate)
        {
            foreach (StreamView s in _streams)
            {
                if (s.Index == sourceIndex)
                {
                    return s;
                }
            }

            // Ids are redacted by the sources already; redacting again keeps a hand-written id with credentials off the page.
            var view = new StreamView(sourceIndex, UrlRedactor.Redact(sourceId), _options);
            if (_completed)
            {
                view.End();
            }

            StreamView[] grown = [.. _streams, view];
            Array.Sort(grown, static (a, b) => a.Index.CompareTo(b.Index));

            // Copy-on-write: readers take the array without a lock, and sources are added a handful of times per run.
            Volatile.Write(ref _streams, grown);
            return view;
        }
    }
}
