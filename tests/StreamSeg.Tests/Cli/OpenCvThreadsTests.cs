using StreamSeg.Cli.Run;

namespace StreamSeg.Tests.Cli;

/// <summary>Issue 16: with every model on the CPU, OpenCV gets one thread (its parallel loops would contend with the models); on a GPU provider it keeps its default; the environment variable wins.</summary>
public class OpenCvThreadsTests
{
    [Fact]
    public void AllCpu_OneThread_AnyGpuProvider_Default_EnvironmentWins()
    {
        string? saved = Environment.GetEnvironmentVariable(OpenCvThreads.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(OpenCvThreads.EnvironmentVariable, null);
            Assert.Equal(1, OpenCvThreads.For(["CPU"]));
            Assert.Equal(1, OpenCvThreads.For(["CPU", "CPU", "CPU"]));
            Assert.Null(OpenCvThreads.For(["CUDA", "CPU"]));
            Assert.Null(OpenCvThreads.For(["TensorRT"]));
            Assert.Null(OpenCvThreads.For([]));

            Environment.SetEnvironmentVariable(OpenCvThreads.EnvironmentVariable, "2");
            Assert.Null(OpenCvThreads.For(["CPU"]));
        }
        finally
        {
            Environment.SetEnvironmentVariable(OpenCvThreads.EnvironmentVariable, saved);
        }
    }
}
