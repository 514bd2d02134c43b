namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that runs only where an NVIDIA GPU is present (<c>[GpuFact]</c>), or only where none is
/// (<c>[GpuFact(available: false)]</c>, the no-GPU paths); elsewhere it is skipped with the reason printed.
/// </summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute(bool available = true)
    {
        if (available && !HasGpu)
        {
            Skip = "no NVIDIA GPU here (/dev/nvidia0 absent): GPU checks run on the GPU test machine";
        }
        else if (!available && HasGpu)
        {
            Skip = "an NVIDIA GPU is here: the no-GPU path is checked on machines without one";
        }
    }

    public static bool HasGpu => File.Exists("/dev/nvidia0") || Directory.Exists("/proc/driver/nvidia/gpus");
}
