using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>Shows the annotated frames in a desktop window (<c>--show</c>), or does nothing when there is no display.</summary>
/// <remarks>
/// <para>
/// A display exists when <c>DISPLAY</c> or <c>WAYLAND_DISPLAY</c> is set. Without one the sink logs that once, in
/// the constructor (a warning), and every call is a no-op: no HighGUI function is ever
/// called, since OpenCV's GTK backend aborts the process when it cannot open a display.
/// </para>
/// <para>
/// With a display, all HighGUI calls (<c>ImShow</c>, <c>WaitKey(1)</c>, <c>DestroyWindow</c>) happen on one dedicated
/// thread, as GTK requires. <see cref="WriteAsync"/> copies the frame into a reused pending image and returns at once;
/// the window shows the latest frame, so a slow display skips frames instead of slowing the pipeline. Pressing
/// <c>q</c> or Esc sets <see cref="CloseRequested"/>. <see cref="CompleteAsync"/> and <see cref="DisposeAsync"/> stop the
/// thread and close the window. Example: <c>new WindowSink(new WindowSinkOptions { WindowName = "cam0" })</c>.
/// </para>
/// </remarks>
public sealed partial class WindowSink : ISink
{
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(2);
    private readonly WindowSinkOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly AutoResetEvent _frameReady = new(false);
    private readonly Thread? _thread;
    private Mat _pending = new();
    private Mat _showing = new();
    private bool _hasPending;
    private volatile bool _stop;
    private volatile bool _closeRequested;
    private volatile bool _failed;
    private bool _disposed;

    /// <summary>Creates the sink; it opens a window only when a display is available.</summary>
    /// <param name="options">The window's settings.</param>
    /// <param name="logger">Where a missing display or a failed window is reported; null for none.</param>
    public WindowSink(WindowSinkOptions options, ILogger<WindowSink>? logger = null)
        : this(options, Environment.GetEnvironmentVariable, logger)
    {
    }

    /// <summary>Creates the sink with an injected environment lookup (tests decide whether a display "exists").</summary>
    internal WindowSink(WindowSinkOptions options, Func<string, string?> getEnvironmentVariable, ILogger<WindowSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger<WindowSink>.Instance;
        IsActive = !string.IsNullOrEmpty(getEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(getEnvironmentVariable("WAYLAND_DISPLAY"));
        if (!IsActive)
        {
            LogNoDisplay(_logger, Name);
            return;
        }

        _thread = new Thread(DisplayLoop) { IsBackground = true, Name = $"StreamSeg {Name}" };
        _thread.Start();
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets whether a window is being shown (false without a display, or after the window failed).</summary>
    public bool IsActive { get; private set; }

    /// <summary>Gets whether the user pressed <c>q</c> or Esc in the window.</summary>
    public bool CloseRequested => _closeRequested;

    /// <inheritdoc/>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsActive || _failed || _stop)
        {
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            // CopyTo reuses _pending's buffer while the frame size stays the same.
            frame.Image.CopyTo(_pending);
            _hasPending = true;
        }

        _frameReady.Set();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StopThread();
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
        bool stopped = StopThread();
        if (stopped)
        {
            // Only free the images once the display thread can no longer touch them.
            _pending.Dispose();
            _showing.Dispose();
            _frameReady.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private bool StopThread()
    {
        _stop = true;
        if (_thread is null)
        {
            return true;
        }

        _frameReady.Set();
        return _thread.Join(s_stopWait);
    }

    private void DisplayLoop()
    {
        try
        {
            Cv2.NamedWindow(_options.WindowName, WindowFlags.AutoSize);
            while (!_stop)
            {
                bool show = false;
                lock (_gate)
                {
                    if (_hasPending)
                    {
                        (_pending, _showing) = (_showing, _pending);
                        _hasPending = false;
                        show = true;
                    }
                }

                if (show)
                {
                    Cv2.ImShow(_options.WindowName, _showing);
                }

                // WaitKey also pumps the GUI events; without it the window never repaints.
                int key = Cv2.WaitKey(1);
                if (key is 'q' or 'Q' or 27)
                {
                    _closeRequested = true;
                }

                if (!show)
                {
                    _frameReady.WaitOne(10);
                }
            }

            Cv2.DestroyWindow(_options.WindowName);
        }
        catch (Exception ex) when (ex is OpenCVException or OpenCvSharpException or DllNotFoundException or EntryPointNotFoundException)
        {
            _failed = true;
            IsActive = false;
            LogWindowFailed(_logger, Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sink}: no display found (DISPLAY and WAYLAND_DISPLAY are unset); the preview window is disabled.")]
    private static partial void LogNoDisplay(ILogger logger, string sink);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sink}: the preview window failed and is disabled ({Reason}).")]
    private static partial void LogWindowFailed(ILogger logger, string sink, string reason);
}
