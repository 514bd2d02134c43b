using System.Diagnostics;
using System.Globalization;

namespace StreamSeg.Tests.Support;

/// <summary>
/// A real MQTT broker (Debian's <c>mosquitto</c>) on a free loopback port, anonymous and without persistence, its
/// config file in a test's temp folder. Killed on dispose. It does not wait for the broker to listen: callers do.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly string _config;
    private Process? _process;

    private MosquittoBroker(string config, int port)
    {
        _config = config;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Writes <c>mosquitto.conf</c> into <paramref name="dir"/> for a free port and starts the broker on it.</summary>
    public static MosquittoBroker Start(TempDirectory dir)
    {
        int port = Ports.Free();
        string config = dir.File("mosquitto.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"));
        var broker = new MosquittoBroker(config, port);
        broker.Restart();
        return broker;
    }

    /// <summary>Starts the broker again on the same port (after <see cref="Kill"/>).</summary>
    public void Restart()
    {
        Kill();
        _process = ChildProcess.Start(MosquittoFactAttribute.Find("mosquitto")!, ["-c", _config]);
    }

    /// <summary>Kills the broker (as a crash would: its clients are cut off at once) and waits for it to exit.</summary>
    public void Kill()
    {
        ChildProcess.Stop(_process);
        _process = null;
    }

    public void Dispose() => Kill();
}
