namespace StreamSeg.Tests.Support;

/// <summary>A fact about machines without an NVIDIA GPU (e.g. a clear refusal of --device cuda); on a GPU machine it is skipped with the reason printed.</summary>
public sealed class NoGpuFactAttribute : FactAttribute
{
    public NoGpuFactAttribute()
    {
        if (GpuFactAttribute.HasGpu)
        {
            Skip = "an NVIDIA GPU is here: CUDA can load, so the refusal this checks cannot happen on this machine";
        }
    }
}
