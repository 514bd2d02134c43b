using StreamSeg.Inference;

namespace StreamSeg.Tests.Inference;

public class TensorRtEngineCacheTests
{
    private static readonly TensorRtEngineIdentity s_h100 = new(
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "NVIDIA H100 80GB HBM3",
        "550.54.15",
        "1.31.0",
        "10.3.0",
        Fp16: true);

    [Fact]
    public void Key_SameIdentity_SameFolder()
    {
        Assert.Equal(TensorRtEngineCache.Key(s_h100), TensorRtEngineCache.Key(s_h100 with { }));
        Assert.Equal(TensorRtEngineCache.Key(s_h100), TensorRtEngineCache.Key(new TensorRtEngineIdentity(s_h100.ModelSha256, s_h100.GpuName, s_h100.DriverVersion, s_h100.OrtVersion, s_h100.TensorRtVersion, s_h100.Fp16)));
    }

    [Theory]
    [InlineData("model")]
    [InlineData("gpu")]
    [InlineData("driver")]
    [InlineData("ort")]
    [InlineData("tensorrt")]
    [InlineData("precision")]
    [InlineData("profile")]
    public void Key_AnyFieldChanged_DifferentFolder(string field)
    {
        TensorRtEngineIdentity changed = field switch
        {
            "model" => s_h100 with { ModelSha256 = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456780" },
            "gpu" => s_h100 with { GpuName = "NVIDIA H200" },
            "driver" => s_h100 with { DriverVersion = "550.54.14" },
            "ort" => s_h100 with { OrtVersion = "1.32.0" },
            "tensorrt" => s_h100 with { TensorRtVersion = "10.3.1" },
            "precision" => s_h100 with { Fp16 = false },
            "profile" => s_h100 with { Profile = "min=src:1x576x768x3;opt=src:1x576x768x3;max=src:1x576x768x3" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(TensorRtEngineCache.Key(s_h100), TensorRtEngineCache.Key(changed));
    }

    [Fact]
    public void Key_Format_ModelPrefixGpuNameDigest()
    {
        string key = TensorRtEngineCache.Key(s_h100);
        Assert.StartsWith("abcdef012345-nvidia-h100-80gb-hbm3-", key, StringComparison.Ordinal);
        string digest = key["abcdef012345-nvidia-h100-80gb-hbm3-".Length..];
        Assert.Equal(16, digest.Length);
        Assert.All(digest, c => Assert.True(char.IsAsciiHexDigitLower(c), key));
    }

    [Theory]
    [InlineData("NVIDIA GeForce RTX 4090", "nvidia-geforce-rtx-4090")]
    [InlineData("Tesla T4 / (PCIe)", "tesla-t4-pcie")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("  NVIDIA\tA100-SXM4-40GB  ", "nvidia-a100-sxm4-40gb")]
    [InlineData("Quadro RTX™ 6000", "quadro-rtx-6000")]
    [InlineData("ÄÖÜ", "gpu")]
    [InlineData("", "gpu")]
    [InlineData("NVIDIA A very long GPU name that goes on and on and on", "nvidia-a-very-long-gpu-name-that-goes-on")]
    public void Key_OddGpuNames_SanitisedToOneSafePathSegment(string gpu, string expected)
    {
        string key = TensorRtEngineCache.Key(s_h100 with { GpuName = gpu });
        Assert.Equal($"abcdef012345-{expected}-", key[..^16]);
        Assert.Equal(key, Path.GetFileName(key));
        Assert.DoesNotContain("..", key, StringComparison.Ordinal);
        Assert.DoesNotContain("--", key, StringComparison.Ordinal);
        Assert.All(key, c => Assert.True(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-', key));
    }

    [Fact]
    public void Key_GpuNamesThatSanitiseAlike_StillDifferentFolders()
    {
        // "A/B" and "A B" give the same readable part; the digest keeps them apart.
        Assert.NotEqual(TensorRtEngineCache.Key(s_h100 with { GpuName = "A/B" }), TensorRtEngineCache.Key(s_h100 with { GpuName = "A B" }));
    }

    [Fact]
    public void Key_EmptyModelHash_Throws()
    {
        Assert.Throws<ArgumentException>(() => TensorRtEngineCache.Key(s_h100 with { ModelSha256 = string.Empty }));
    }

    [Fact]
    public void ParseGpuModel_ReadsTheModelLine()
    {
        string[] information =
        [
            "Model: \t\t NVIDIA H100 80GB HBM3",
            "IRQ:   \t\t 123",
            "GPU UUID: \t GPU-5e1b3c4e-0000-0000-0000-000000000000",
            "Bus Location: \t 0000:19:00.0",
        ];
        Assert.Equal("NVIDIA H100 80GB HBM3", TensorRtEngineCache.ParseGpuModel(information));
        Assert.Null(TensorRtEngineCache.ParseGpuModel(information[1..]));
        Assert.Null(TensorRtEngineCache.ParseGpuModel(["Model:   "]));
    }

    [Theory]
    [InlineData("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n", "550.54.15")]
    [InlineData("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Jan 23 22:49:26 UTC 2025\n", "570.86.15")]
    [InlineData("GCC version:  gcc version 11.4.0\nNVRM version: NVIDIA UNIX Open Kernel Module for aarch64  535.104.05  Release Build\n", "535.104.05")]
    [InlineData("NVRM version: NVIDIA UNIX x86_64 Kernel Module\n", null)]
    [InlineData("", null)]
    public void ParseDriverVersion_FirstDottedNumberOfTheNvrmLine(string text, string? expected)
    {
        Assert.Equal(expected, TensorRtEngineCache.ParseDriverVersion(text));
    }

    [Fact]
    public void Key_TwoProfiles_TwoFolders()
    {
        string a = TensorRtEngineCache.Key(s_h100 with { Profile = "min=src:1x576x768x3;opt=src:4x576x768x3;max=src:4x576x768x3" });
        string b = TensorRtEngineCache.Key(s_h100 with { Profile = "min=src:1x576x768x3;opt=src:4x576x768x3;max=src:8x576x768x3" });
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Key_NoProfile_SameFolderAsBeforeProfilesExisted()
    {
        // The name this identity got before engines had profiles (computed then): those cached engines are still found.
        Assert.Equal("abcdef012345-nvidia-h100-80gb-hbm3-e6b42fe649be9630", TensorRtEngineCache.Key(s_h100));
    }
}
