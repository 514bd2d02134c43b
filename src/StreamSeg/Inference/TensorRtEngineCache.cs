using System.Security.Cryptography;
using System.Text;

namespace StreamSeg.Inference;

/// <summary>
/// Names the folder TensorRT engines of one model are cached in. An engine is only valid for the same model bytes,
/// GPU, ONNX Runtime and TensorRT versions and precision, so all of them are in the key: a change of any one gives a
/// new folder instead of loading a stale engine.
/// </summary>
public static class TensorRtEngineCache
{
    /// <summary>Computes the cache folder name.</summary>
    public static string Key(string modelSha256, string gpuName, string ortVersion, string tensorRtVersion, bool fp16)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelSha256);
        string material = string.Join('\n', modelSha256, gpuName, ortVersion, tensorRtVersion, fp16 ? "fp16" : "fp32");
        string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16];
        return $"{modelSha256[..Math.Min(12, modelSha256.Length)]}-{Sanitize(gpuName)}-{digest}";
    }

    /// <summary>Computes the SHA-256 of a file as lower-case hex.</summary>
    public static string FileSha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Reads the name of GPU <paramref name="deviceId"/> from the NVIDIA driver, or "unknown-gpu".</summary>
    public static string GpuName(int deviceId)
    {
        const string root = "/proc/driver/nvidia/gpus";
        if (!Directory.Exists(root))
        {
            return "unknown-gpu";
        }

        string[] gpus = Directory.GetDirectories(root);
        Array.Sort(gpus, StringComparer.Ordinal);
        if (deviceId >= gpus.Length)
        {
            return "unknown-gpu";
        }

        string info = Path.Combine(gpus[deviceId], "information");
        if (File.Exists(info))
        {
            foreach (string line in File.ReadLines(info))
            {
                if (line.StartsWith("Model:", StringComparison.Ordinal))
                {
                    return line["Model:".Length..].Trim();
                }
            }
        }

        return "unknown-gpu";
    }

    private static string Sanitize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        return sb.Length == 0 ? "gpu" : sb.ToString();
    }
}
