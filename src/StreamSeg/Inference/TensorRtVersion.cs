using System.Globalization;
using System.Runtime.InteropServices;

namespace StreamSeg.Inference;

/// <summary>
/// Finds the version of the TensorRT library that ONNX Runtime's TensorRT provider loaded into this process, for the
/// engine cache key: an engine serialized by one TensorRT version cannot be loaded by another.
/// </summary>
/// <remarks>
/// ONNX Runtime's C# API does not report the TensorRT version, and the provider links <c>libnvinfer.so.N</c> by its
/// major version only, so this asks the loaded library itself. Once the provider has loaded, the path of the mapped
/// <c>libnvinfer.so*</c> is found in <c>/proc/self/maps</c> (the kernel shows the resolved file, for example
/// <c>/usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0</c>, not the soname link). That same file's exported
/// <c>getInferLibVersion()</c> gives the exact version; if it cannot be called, the numbers after <c>.so.</c> in the
/// file name are used (<c>10.3.0</c>, or just <c>10</c> for pip wheels, which ship only the soname file). Where none
/// of this works (not Linux, or TensorRT linked some other way) the version is <see cref="Unknown"/>, and a TensorRT
/// upgrade then keeps the same cache folder: delete it by hand after upgrading.
/// </remarks>
public static class TensorRtVersion
{
    /// <summary>The version reported when it cannot be found.</summary>
    public const string Unknown = "unknown";

    private const string LibraryPrefix = "libnvinfer.so";

    /// <summary>
    /// Finds the version of the loaded TensorRT library, or <see cref="Unknown"/>. Call it only after ONNX Runtime's
    /// TensorRT provider has loaded, which loads TensorRT.
    /// </summary>
    public static string Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Unknown;
        }

        string? path;
        try
        {
            path = FindLibrary(File.ReadLines("/proc/self/maps"));
        }
        catch (IOException)
        {
            return Unknown;
        }
        catch (UnauthorizedAccessException)
        {
            return Unknown;
        }

        if (path is null)
        {
            return Unknown;
        }

        return FromInferLibVersion(CallGetInferLibVersion(path)) ?? FromFileName(Path.GetFileName(path)) ?? Unknown;
    }

    /// <summary>
    /// Finds the path of the main TensorRT library (<c>libnvinfer.so</c>, <c>libnvinfer.so.10</c>,
    /// <c>libnvinfer.so.10.3.0</c>; not <c>libnvinfer_plugin</c> or <c>libnvinfer_builder_resource</c>) among the
    /// lines of <c>/proc/self/maps</c>, or null when it is not mapped.
    /// </summary>
    public static string? FindLibrary(IEnumerable<string> mapsLines)
    {
        ArgumentNullException.ThrowIfNull(mapsLines);
        foreach (string line in mapsLines)
        {
            // address perms offset dev inode [path]; the path is the rest of the line and may contain spaces.
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
            {
                continue;
            }

            string path = fields[5].Trim();
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            string name = Path.GetFileName(path);
            if (name == LibraryPrefix || name.StartsWith(LibraryPrefix + ".", StringComparison.Ordinal))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// Gets the version in a TensorRT library file name: the dotted numbers after <c>libnvinfer.so.</c>
    /// (<c>libnvinfer.so.10.3.0</c> gives <c>10.3.0</c>, <c>libnvinfer.so.10</c> gives <c>10</c>), or null.
    /// </summary>
    public static string? FromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.StartsWith(LibraryPrefix + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (string part in fileName[(LibraryPrefix.Length + 1)..].Split('.'))
        {
            if (part.Length == 0 || !part.All(char.IsAsciiDigit))
            {
                break;
            }

            parts.Add(part);
        }

        return parts.Count > 0 ? string.Join('.', parts) : null;
    }

    /// <summary>
    /// Decodes <c>getInferLibVersion()</c>: major·10000 + minor·100 + patch from TensorRT 10 on (100300 is 10.3.0),
    /// major·1000 + minor·100 + patch before (8601 is 8.6.1). Null for a value that is not a version.
    /// </summary>
    public static string? FromInferLibVersion(int value)
    {
        if (value <= 0)
        {
            return null;
        }

        int major, minor, patch;
        if (value >= 100_000)
        {
            (major, minor, patch) = (value / 10_000, value / 100 % 100, value % 100);
        }
        else
        {
            (major, minor, patch) = (value / 1000, value / 100 % 10, value % 100);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}.{patch}");
    }

    private static unsafe int CallGetInferLibVersion(string path)
    {
        // The library is already loaded (it is in the maps), so this only takes another reference to it.
        if (!NativeLibrary.TryLoad(path, out IntPtr handle))
        {
            return 0;
        }

        try
        {
            return NativeLibrary.TryGetExport(handle, "getInferLibVersion", out IntPtr export)
                ? ((delegate* unmanaged<int>)export)()
                : 0;
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
