namespace StreamSeg.Tests.Support;

/// <summary>A fact that runs only where an NVIDIA GPU is present; elsewhere it is skipped with the reason printed.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!HasGpu)
        {
            Skip = "no NVIDIA GPU here (/dev/nvidia0 absent): GPU checks run on the GPU test machine";
        }
    }

    public static bool HasGpu => File.Exists("/dev/nvidia0") || Directory.Exists("/proc/driver/nvidia/gpus");
}
