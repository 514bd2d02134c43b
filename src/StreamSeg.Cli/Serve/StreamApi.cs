using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// The stream API on the web view's server: <c>GET/POST /api/streams</c>, <c>GET/DELETE /api/streams/{id}</c>, and in
/// a cluster <c>GET /api/cluster</c>. Refusals are <c>{"error": "one line naming the field"}</c> with 400, 404, 409,
/// 429, or 503 while the node is not up or is shutting down.
/// </summary>
internal sealed class StreamApi
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Messages quote paths ('…'): keep them readable; the body is JSON for programs, never HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly IStreamCatalog _catalog;

    /// <summary>Creates the API over <paramref name="catalog"/> (this node's streams, or the cluster's).</summary>
    public StreamApi(IStreamCatalog catalog)
    {
        _catalog = catalog;
    }

    /// <summary>The answer of <c>GET /api/streams</c>: every stream, credentials redacted.</summary>
    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await _catalog.ListAsync(cancellationToken).ConfigureAwait(false), s_json);
        }
        catch (StreamRequestException ex)
        {
            return Error(StatusOf(ex.Error), ex.Message);
        }
    }

    /// <summary>Maps the other routes.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/api/streams", AddAsync);
        routes.MapGet("/api/streams/{id}", GetAsync);
        routes.MapDelete("/api/streams/{id}", DeleteAsync);
        if (_catalog is ClusterStreamCatalog cluster)
        {
            routes.MapGet("/api/cluster", (CancellationToken cancellationToken) => GetClusterAsync(cluster, cancellationToken));
        }
    }

    private static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), s_json, statusCode: status);

    private static int StatusOf(StreamRequestError error) => error switch
    {
        StreamRequestError.Duplicate => StatusCodes.Status409Conflict,
        StreamRequestError.NotFound => StatusCodes.Status404NotFound,
        StreamRequestError.Full => StatusCodes.Status429TooManyRequests,
        StreamRequestError.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    private static async Task<IResult> GetClusterAsync(ClusterStreamCatalog catalog, CancellationToken cancellationToken)
    {
        if (catalog.Cluster is not { } cluster)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "the node is not up in the cluster yet");
        }

        try
        {
            return Results.Json(await cluster.GetClusterStateAsync(cancellationToken).ConfigureAwait(false), s_json);
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "the cluster did not answer in time; try again");
        }
    }

    private async Task<IResult> AddAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            StreamSpec spec = StreamSpecParser.Parse(body);
            StreamSummary added = await _catalog.AddAsync(spec, cancellationToken).ConfigureAwait(false);
            return Results.Json(added, s_json, statusCode: StatusCodes.Status201Created);
        }
        catch (StreamRequestException ex)
        {
            return Error(StatusOf(ex.Error), ex.Message);
        }
    }

    private async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _catalog.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } stream
                ? Results.Json(stream, s_json)
                : Error(StatusCodes.Status404NotFound, $"id: no stream '{id}'");
        }
        catch (StreamRequestException ex)
        {
            return Error(StatusOf(ex.Error), ex.Message);
        }
    }

    private async Task<IResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _catalog.RemoveAsync(id, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : Error(StatusCodes.Status404NotFound, $"id: no stream '{id}'");
        }
        catch (StreamRequestException ex)
        {
            return Error(StatusOf(ex.Error), ex.Message);
        }
    }

    private sealed record ErrorBody(string Error);
}
