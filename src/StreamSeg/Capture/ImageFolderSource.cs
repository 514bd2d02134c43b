using OpenCvSharp;

namespace StreamSeg.Capture;

/// <summary>Reads the images of a folder (jpg, jpeg, png, bmp, webp, tif, tiff) in ordinal name order, as a lossless source.</summary>
public sealed class ImageFolderSource : IFrameSource
{
    private static readonly string[] s_extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];
    private readonly SourceOptions _options;
    private string[] _files = [];
    private int _next;

    /// <summary>Creates the source.</summary>
    public ImageFolderSource(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Id = options.Id ?? VideoCaptureSource.DefaultId(options.Uri, SourceKind.ImageFolder);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public SourceKind Kind => SourceKind.ImageFolder;

    /// <inheritdoc/>
    public bool IsLive => _options.Loop;

    /// <inheritdoc/>
    public double Fps => 0;

    /// <inheritdoc/>
    public long? FrameCount => _files.Length;

    /// <inheritdoc/>
    public int Width { get; private set; }

    /// <inheritdoc/>
    public int Height { get; private set; }

    /// <inheritdoc/>
    public void Open()
    {
        if (!Directory.Exists(_options.Uri))
        {
            throw new SourceException($"Source '{_options.Uri}': folder not found (expected a folder of images).");
        }

        var files = new List<string>();
        foreach (string file in Directory.EnumerateFiles(_options.Uri))
        {
            if (Array.IndexOf(s_extensions, Path.GetExtension(file).ToLowerInvariant()) >= 0)
            {
                files.Add(file);
            }
        }

        files.Sort(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            throw new SourceException($"Source '{_options.Uri}': the folder has no images (expected {string.Join(", ", s_extensions)} files).");
        }

        _files = [.. files];
        using Mat first = Cv2.ImRead(_files[0], ImreadModes.Color);
        if (first.Empty())
        {
            throw new SourceException($"Source '{_files[0]}': not an image OpenCV can read.");
        }

        Width = first.Width;
        Height = first.Height;
        _next = 0;
    }

    /// <inheritdoc/>
    public bool Read(Mat target, out TimeSpan pts)
    {
        ArgumentNullException.ThrowIfNull(target);
        pts = TimeSpan.Zero;
        if (_next >= _files.Length)
        {
            if (!_options.Loop)
            {
                return false;
            }

            _next = 0;
        }

        string file = _files[_next];
        pts = TimeSpan.FromSeconds(_next);
        _next++;

        // imread allocates its own Mat; the copy into the pooled frame keeps ownership simple (folders are not the hot path).
        using Mat image = Cv2.ImRead(file, ImreadModes.Color);
        if (image.Empty())
        {
            throw new SourceException($"Source '{file}': not an image OpenCV can read.");
        }

        image.CopyTo(target);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
