using System.Diagnostics;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Memory;

namespace StreamSeg.Pipeline;

/// <summary>
/// The part of the graph that belongs to one source: its frame pool, the capture thread that reads it into the
/// source's own edge (<see cref="EdgeOptions.Lossless"/> for files, <see cref="EdgeOptions.Live"/> for live sources),
/// and the pump from that edge into the stages' shared input. Built per source, so that a source can come and go
/// without rebuilding the rest of the graph.
/// </summary>
internal sealed class SourceBranch : IDisposable
{
    private readonly IFrameSource _source;
    private readonly int _sourceIndex;
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly Action<Exception> _reportFault;
    private readonly Edge _target;
    private long _captured;

    /// <summary>Creates the branch of <paramref name="source"/> (number <paramref name="sourceIndex"/>) feeding <paramref name="target"/>.</summary>
    public SourceBranch(IFrameSource source, int sourceIndex, Edge target, PipelineOptions options, PipelineStats stats, Action<Exception> reportFault)
    {
        _source = source;
        _sourceIndex = sourceIndex;
        _target = target;
        _options = options;
        _stats = stats;
        _reportFault = reportFault;
        Edge = new Edge($"source[{source.Id}]", source.IsLive ? EdgeOptions.Live : EdgeOptions.Lossless);
        Pool = new FramePool(source.Width, source.Height);
    }

    /// <summary>Gets the source's own edge, between its capture thread and the pump.</summary>
    public Edge Edge { get; }

    /// <summary>Gets the pool of the source's frames.</summary>
    public FramePool Pool { get; }

    /// <summary>Gets how many real frames (not placeholders) the source has captured.</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>Starts the capture thread: it reads the source until it ends or the run stops, then completes <see cref="Edge"/>.</summary>
    public Task StartCapture(CancellationToken stop, CancellationToken abort) =>
        Task.Factory.StartNew(() => Capture(stop, abort), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Moves frames from <see cref="Edge"/> into the shared input until the source's edge completes.</summary>
    public Task PumpAsync(CancellationToken cancellationToken) =>
        new EdgeLoop(Edge, ForwardAsync, static _ => ValueTask.CompletedTask).RunAsync(cancellationToken);

    /// <summary>Frees the frames of the pool that are back (those still out are freed as they come back).</summary>
    public void Dispose() => Pool.Dispose();

    private ValueTask ForwardAsync(Frame frame, CancellationToken cancellationToken) => _target.WriteAsync(frame, cancellationToken);

    private void Capture(CancellationToken stop, CancellationToken abort)
    {
        long index = 0;
        long paceStart = Stopwatch.GetTimestamp();
        double fps = _source.Fps > 0 ? _source.Fps : 25;
        try
        {
            while (!stop.IsCancellationRequested && !abort.IsCancellationRequested)
            {
                if (_options.Pace && _source.Kind is SourceKind.File or SourceKind.ImageFolder)
                {
                    TimeSpan due = TimeSpan.FromSeconds(index / fps) - Stopwatch.GetElapsedTime(paceStart);
                    if (due > TimeSpan.Zero)
                    {
                        Thread.Sleep(due);
                    }
                }

                Frame? frame = ReadOne(index);
                if (frame is null)
                {
                    break;
                }

                index++;

                // A dedicated thread may block: under Wait this is the back-pressure that keeps files lossless.
                Edge.WriteAsync(frame, abort).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // A second Ctrl+C while this thread was blocked writing into a full edge: the run is cancelled, not
            // failed. (Left to escape, the exception would fault this task, which was not started with the token.)
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Contained: this source ends, the others and the frames already captured carry on; the run reports it
            // at the end.
            _reportFault(ex is SourceException ? ex : new SourceException($"Source '{_source.Id}' failed at frame {index}: {ex.Message}", ex));
        }
        finally
        {
            Edge.Complete();
        }
    }

    /// <summary>Reads frame <paramref name="index"/> into a rented frame and stamps its metadata; null at the end of the source.</summary>
    private Frame? ReadOne(long index)
    {
        Frame frame = Pool.Rent();
        long t0 = Stopwatch.GetTimestamp();
        bool ok;
        TimeSpan pts;
        try
        {
            ok = _source.Read(frame.Image, out pts);
        }
        catch
        {
            frame.Dispose();
            throw;
        }

        if (!ok)
        {
            frame.Dispose();
            return null;
        }

        long now = Stopwatch.GetTimestamp();
        FrameFlags flags = _source.LastFrameFlags;
        FrameMetadata meta = frame.Meta;
        meta.IsPlaceholder = (flags & FrameFlags.Placeholder) != 0;
        meta.Discontinuity = (flags & FrameFlags.AfterGap) != 0;
        meta.SourceId = _source.Id;
        meta.SourceIndex = _sourceIndex;
        meta.Index = index;
        meta.Pts = pts;
        meta.CaptureTime = DateTimeOffset.UtcNow;
        meta.CaptureTimestamp = now;
        double ms = Stopwatch.GetElapsedTime(t0, now).TotalMilliseconds;
        meta.Timings[(int)PipelineStage.Capture] = ms;
        if (!meta.IsPlaceholder)
        {
            _stats.RecordStage(PipelineStage.Capture, ms);
            _stats.CountIn();
            Interlocked.Increment(ref _captured);
        }

        return frame;
    }
}
