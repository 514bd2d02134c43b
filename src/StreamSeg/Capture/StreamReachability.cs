using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace StreamSeg.Capture;

/// <summary>
/// The cheap probe of a network stream (<see cref="IReachabilityProbe"/>): for RTSP one DESCRIBE on a fresh TCP
/// connection (200: serving; 404 and other refusals: not there yet, as a relay answers before its publisher is back;
/// 401: cannot tell without credentials), for other TCP protocols a TCP connect, and nothing for UDP-based ones.
/// </summary>
internal static class StreamReachability
{
    /// <summary>Probes <paramref name="url"/>, taking at most about <paramref name="timeout"/>; never throws for a network failure.</summary>
    public static SourceReachability Probe(string url, TimeSpan timeout)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            return SourceReachability.Unknown;
        }

        int defaultPort = DefaultPort(uri.Scheme);
        if (defaultPort < 0)
        {
            return SourceReachability.Unknown; // udp://, srt://: nothing to connect to
        }

        int port = uri.Port > 0 ? uri.Port : defaultPort;

        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient { NoDelay = true };
        try
        {
            client.ConnectAsync(uri.Host, port, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return SourceReachability.Unreachable; // refused, no route, or no answer at all
        }

        if (!uri.Scheme.Equals("rtsp", StringComparison.OrdinalIgnoreCase))
        {
            return SourceReachability.Serving; // the server accepts connections: a full open will tell the rest
        }

        try
        {
            return Describe(client.GetStream(), uri, cts.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // Something listens but did not answer in time (a busy server): not a reason to skip an open.
            return SourceReachability.Unknown;
        }
    }

    private static SourceReachability Describe(NetworkStream stream, Uri uri, CancellationToken ct)
    {
        // The request URL without credentials: a server that wants them answers 401, and that is all we need to know.
        string target = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.PathAndQuery, UriFormat.UriEscaped);
        byte[] request = Encoding.ASCII.GetBytes($"DESCRIBE {target} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: streamseg\r\n\r\n");
        stream.WriteAsync(request, ct).AsTask().GetAwaiter().GetResult();
        byte[] buffer = new byte[512];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = stream.ReadAsync(buffer.AsMemory(filled), ct).AsTask().GetAwaiter().GetResult();
            if (n == 0)
            {
                break;
            }

            filled += n;
            if (Array.IndexOf(buffer, (byte)'\n', 0, filled) >= 0)
            {
                break;
            }
        }

        // "RTSP/1.0 200 OK"
        string line = Encoding.ASCII.GetString(buffer, 0, filled);
        string[] parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("RTSP/", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int status))
        {
            return SourceReachability.Unknown;
        }

        return status switch
        {
            >= 200 and < 300 => SourceReachability.Serving,
            401 or 403 => SourceReachability.Unknown,
            _ => SourceReachability.Unreachable,
        };
    }

    private static int DefaultPort(string scheme) => scheme.ToUpperInvariant() switch
    {
        "RTSP" => 554,
        "RTSPS" => 322,
        "HTTP" => 80,
        "HTTPS" => 443,
        "RTMP" => 1935,
        "TCP" => 0, // always given in the URL
        _ => -1,
    };
}
