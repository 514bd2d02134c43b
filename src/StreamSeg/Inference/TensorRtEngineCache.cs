using System.Security.Cryptography;
using System.Text;

namespace StreamSeg.Inference;

/// <summary>
/// Names the folder the TensorRT engines of one model are cached in, and reads the GPU facts that go into the name.
/// An engine is only valid for the same model bytes, GPU, driver, ONNX Runtime and TensorRT versions, precision and
/// optimisation profile (the input shapes it takes), so all of them are in the key: a change of any one gives a new folder instead of loading a stale engine.
/// </summary>
/// <remarks>
/// The folder name is <c>&lt;first 12 hex of the model hash&gt;-&lt;GPU name&gt;-&lt;16 hex of a SHA-256 of every
/// field&gt;</c>, for example <c>3f2a9c0d1e4b-nvidia-h100-80gb-hbm3-5d41402abc4b2a76</c>: readable enough to tell
/// folders apart by eye, with the digest making it unique. The GPU name is reduced to lower-case ASCII letters, digits
/// and single dashes, so no driver string can add a path separator or a dot-dot to the path.
/// </remarks>
public static class TensorRtEngineCache
{
    /// <summary>The GPU name used when the driver does not say (no NVIDIA driver, or a device id past the last GPU).</summary>
    public const string UnknownGpu = "unknown-gpu";

    /// <summary>The driver version used when <c>/proc/driver/nvidia/version</c> cannot be read.</summary>
    public const string UnknownDriver = "unknown-driver";

    private const int MaxGpuNameLength = 40;

    /// <summary>Computes the cache folder name of <paramref name="identity"/>; equal identities give equal names.</summary>
    public static string Key(TensorRtEngineIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(identity.ModelSha256);
        ArgumentNullException.ThrowIfNull(identity.GpuName);
        ArgumentNullException.ThrowIfNull(identity.DriverVersion);
        ArgumentNullException.ThrowIfNull(identity.OrtVersion);
        ArgumentNullException.ThrowIfNull(identity.TensorRtVersion);
        ArgumentNullException.ThrowIfNull(identity.Profile);

        // Newline-separated so that no two different field lists give the same text ("a|b" + "c" vs "a" + "b|c").
        string material = string.Join(
            '\n',
            "streamseg.trt-engine/1",
            identity.ModelSha256,
            identity.GpuName,
            identity.DriverVersion,
            identity.OrtVersion,
            identity.TensorRtVersion,
            identity.Precision);

        // A profile is added only when there is one, so the folders of engines built without one keep their names.
        if (identity.Profile.Length > 0)
        {
            material += "\nprofile=" + identity.Profile;
        }

        string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16];
        string model = Sanitize(identity.ModelSha256[..Math.Min(12, identity.ModelSha256.Length)], "model");
        return $"{model}-{Sanitize(identity.GpuName, "gpu")}-{digest}";
    }

    /// <summary>Computes the SHA-256 of a file as lower-case hex.</summary>
    public static string FileSha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Reads the name of GPU <paramref name="deviceId"/> from the NVIDIA driver, or <see cref="UnknownGpu"/>.</summary>
    /// <remarks>
    /// GPUs are taken in PCI bus order (the driver's folder names), which is CUDA's order when
    /// <c>CUDA_DEVICE_ORDER=PCI_BUS_ID</c> and no <c>CUDA_VISIBLE_DEVICES</c> remaps them; on a machine with one GPU
    /// model, or one GPU, the order does not matter.
    /// </remarks>
    public static string GpuName(int deviceId)
    {
        const string root = "/proc/driver/nvidia/gpus";
        if (deviceId < 0 || !Directory.Exists(root))
        {
            return UnknownGpu;
        }

        string[] gpus = Directory.GetDirectories(root);
        Array.Sort(gpus, StringComparer.Ordinal);
        if (deviceId >= gpus.Length)
        {
            return UnknownGpu;
        }

        string info = Path.Combine(gpus[deviceId], "information");
        return File.Exists(info) ? ParseGpuModel(File.ReadLines(info)) ?? UnknownGpu : UnknownGpu;
    }

    /// <summary>Reads the NVIDIA driver version from <c>/proc/driver/nvidia/version</c>, or <see cref="UnknownDriver"/>.</summary>
    public static string DriverVersion()
    {
        const string path = "/proc/driver/nvidia/version";
        try
        {
            return File.Exists(path) ? ParseDriverVersion(File.ReadAllText(path)) ?? UnknownDriver : UnknownDriver;
        }
        catch (IOException)
        {
            return UnknownDriver;
        }
        catch (UnauthorizedAccessException)
        {
            return UnknownDriver;
        }
    }

    /// <summary>
    /// Gets the GPU model from the lines of <c>/proc/driver/nvidia/gpus/&lt;bus&gt;/information</c>
    /// (<c>Model:  NVIDIA H100 80GB HBM3</c>), or null when there is no such line.
    /// </summary>
    public static string? ParseGpuModel(IEnumerable<string> informationLines)
    {
        ArgumentNullException.ThrowIfNull(informationLines);
        foreach (string line in informationLines)
        {
            if (line.StartsWith("Model:", StringComparison.Ordinal))
            {
                string model = line["Model:".Length..].Trim();
                return model.Length > 0 ? model : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Gets the driver version from the text of <c>/proc/driver/nvidia/version</c>: the first dotted number on its
    /// <c>NVRM version:</c> line (<c>NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar 5 …</c>
    /// gives <c>550.54.15</c>), or null when there is none.
    /// </summary>
    public static string? ParseDriverVersion(string versionText)
    {
        ArgumentNullException.ThrowIfNull(versionText);
        foreach (string line in versionText.Split('\n'))
        {
            if (!line.StartsWith("NVRM version:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (string token in line["NVRM version:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsDottedNumber(token))
                {
                    return token;
                }
            }
        }

        return null;
    }

    private static bool IsDottedNumber(string token)
    {
        if (!char.IsAsciiDigit(token[0]) || !char.IsAsciiDigit(token[^1]) || !token.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in token)
        {
            if (!char.IsAsciiDigit(c) && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Lower-case ASCII letters and digits, every other run of characters one dash, no dash at either end.</summary>
    private static string Sanitize(string text, string fallback)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxGpuNameLength));
        foreach (char c in text)
        {
            if (sb.Length == MaxGpuNameLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        while (sb.Length > 0 && sb[^1] == '-')
        {
            sb.Length--;
        }

        return sb.Length == 0 ? fallback : sb.ToString();
    }
}
