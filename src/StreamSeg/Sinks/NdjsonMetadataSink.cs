using StreamSeg.Capture;
using System.Buffers;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>Writes one JSON object per frame, one per line (NDJSON), with the frame's metadata, timings and instances.</summary>
/// <remarks>
/// <para>
/// Each line is one <see cref="FrameMetadataWriter"/> object of schema <c>streamseg.frame/1</c> (fields listed there).
/// </para>
/// <para>
/// A <see cref="FrameMetadataWriter"/> writes each object into one reused buffer, so a frame costs no JSON DOM. Each
/// line is written and flushed as a whole, so a reader tailing the file sees whole lines, and
/// <see cref="CompleteAsync"/> flushes and closes it so that the file ends on a whole line. The file's directory is
/// checked for write access in the constructor. Example:
/// <c>new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = "out/run.ndjson", RleFormat = RleFormat.String })</c>.
/// </para>
/// </remarks>
public sealed class NdjsonMetadataSink : ISink, IHealthSink
{
    /// <summary>The value of every line's <c>schema</c> field.</summary>
    public const string Schema = FrameMetadataWriter.Schema;

    private readonly NdjsonMetadataSinkOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly FrameMetadataWriter _writer;
    private readonly System.Collections.Concurrent.ConcurrentQueue<SourceStateChange> _health = new();
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private long _linesWritten;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink; with a path, the file is created now (an unwritable path throws an <see cref="IOException"/> naming it).</summary>
    public NdjsonMetadataSink(NdjsonMetadataSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        if (options.Path is not null)
        {
            OutputPath = OutputPaths.EnsureWritableFile(options.Path, "metadata output");
            try
            {
                _stream = new FileStream(OutputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot write metadata output '{OutputPath}': {ex.Message}", ex);
            }

            _ownsStream = true;
        }
        else
        {
            _stream = options.Stream!;
            _ownsStream = !options.LeaveOpen;
        }

        _writer = new FrameMetadataWriter(new FrameMetadataWriterOptions { IncludeMasks = options.IncludeMasks, RleFormat = options.RleFormat });
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets the full path of the output file, or null when writing to a stream.</summary>
    public string? OutputPath { get; }

    /// <summary>Gets how many lines (frames) have been written.</summary>
    public long LinesWritten => Interlocked.Read(ref _linesWritten);

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"Metadata sink '{Name}' is already complete.");
        }

        _buffer.ResetWrittenCount();
        AppendHealthLines();

        // An "offline" placeholder has no instances to report: only the health lines before it go out.
        if (!frame.Meta.IsPlaceholder)
        {
            _writer.Write(frame, _buffer);
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
            Interlocked.Increment(ref _linesWritten);
        }

        if (_buffer.WrittenCount > 0)
        {
            await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void WriteHealth(SourceStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _health.Enqueue(change);
    }

    private void AppendHealthLines()
    {
        while (_health.TryDequeue(out SourceStateChange? change))
        {
            HealthEventWriter.Write(change, _buffer);
            _buffer.GetSpan(1)[0] = (byte)'\n';
            _buffer.Advance(1);
        }
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        _buffer.ResetWrittenCount();
        AppendHealthLines();
        if (_buffer.WrittenCount > 0)
        {
            await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Dispose();
        if (_ownsStream)
        {
            // Lines are written whole, so closing here (even without CompleteAsync) never leaves half a line.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
