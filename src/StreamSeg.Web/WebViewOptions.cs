using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StreamSeg.Web;

/// <summary>Settings of a <see cref="WebViewServer"/>.</summary>
public sealed record WebViewOptions
{
    /// <summary>The default address: loopback only, port 8080.</summary>
    public static readonly IPEndPoint DefaultEndpoint = new(IPAddress.Loopback, 8080);

    /// <summary>Gets the address to listen on (default <c>127.0.0.1:8080</c>; port 0 picks a free port, see <see cref="WebViewServer.BaseAddress"/>).</summary>
    /// <remarks>Any other interface exposes the video to the network; bind one only when asked, and set <see cref="BearerToken"/> then.</remarks>
    public IPEndPoint Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>
    /// Gets the token every request except <c>/health</c> must carry, as <c>Authorization: Bearer &lt;token&gt;</c> or
    /// through the cookie set by opening <c>/?token=&lt;token&gt;</c> once in a browser; null (default) means no token.
    /// </summary>
    public string? BearerToken { get; init; }

    /// <summary>Gets the page title (default <c>StreamSeg</c>).</summary>
    public string Title { get; init; } = "StreamSeg";

    /// <summary>
    /// Gets the answer of <c>GET /api/streams</c> when a service manages the streams (<c>streamseg serve</c>: the
    /// list of streams); the page's own figures are then at <c>/api/streams?view</c>. Null (default): the figures.
    /// </summary>
    public Func<CancellationToken, Task<IResult>>? StreamList { get; init; }

    /// <summary>Gets a value indicating whether <c>/health</c> is ready (200) with no stream at all: a service waiting for streams is up. Default false (a run with no stream yet is starting).</summary>
    public bool ReadyWhenEmpty { get; init; }

    /// <summary>
    /// Gets whether the service behind the page is up (a <c>serve</c> node: its pipeline runs and, in a cluster, it has
    /// joined); while it says false, <c>/health</c> answers 503 <c>starting</c>. Null (default): no such condition.
    /// </summary>
    public Func<bool>? IsUp { get; init; }

    /// <summary>Gets more routes to map behind the same token (a service's stream API), or null.</summary>
    public Action<IEndpointRouteBuilder>? Api { get; init; }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c>, <c>host</c> (port 8080) or <c>:port</c> (loopback), as given to <c>--http</c>; <c>localhost</c> means 127.0.0.1.</summary>
    /// <exception cref="FormatException">The text is not an address with an optional port.</exception>
    public static IPEndPoint ParseEndpoint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string text = value.Trim();
        if (text.StartsWith(':'))
        {
            text = "127.0.0.1" + text;
        }

        if (text.StartsWith("localhost", StringComparison.OrdinalIgnoreCase))
        {
            text = "127.0.0.1" + text["localhost".Length..];
        }

        if (IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && (text.Contains("]:", StringComparison.Ordinal) || (text.Count(c => c == ':') == 1)))
        {
            return endpoint;
        }

        if (IPAddress.TryParse(text.Trim('[', ']'), out IPAddress? address))
        {
            return new IPEndPoint(address, DefaultEndpoint.Port);
        }

        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{value}' is not an address to listen on: expected host:port, for example 127.0.0.1:8080 or 0.0.0.0:8080."));
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(Title);
        if (BearerToken is not null && (BearerToken.Length < 8 || BearerToken.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("The bearer token must be at least 8 characters without spaces.", nameof(BearerToken));
        }
    }
}
