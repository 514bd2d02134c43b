using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// The stream API on the web view's server: <c>GET/POST /api/streams</c>, <c>GET/DELETE /api/streams/{id}</c>.
/// Refusals are <c>{"error": "one line naming the field"}</c> with 400, 404, 409 or 429.
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

    private readonly StreamHost _host;

    /// <summary>Creates the API over <paramref name="host"/>.</summary>
    public StreamApi(StreamHost host)
    {
        _host = host;
    }

    /// <summary>The answer of <c>GET /api/streams</c>: every stream, credentials redacted.</summary>
    public IResult List() => Results.Json(_host.Streams.Select(s => s.Summary()).ToList(), s_json);

    /// <summary>Maps the other routes.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/api/streams", AddAsync);
        routes.MapGet("/api/streams/{id}", Get);
        routes.MapDelete("/api/streams/{id}", DeleteAsync);
    }

    private static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), s_json, statusCode: status);

    private static int StatusOf(StreamRequestError error) => error switch
    {
        StreamRequestError.Duplicate => StatusCodes.Status409Conflict,
        StreamRequestError.NotFound => StatusCodes.Status404NotFound,
        StreamRequestError.Full => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

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
            await _host.StartAsync(spec, cancellationToken).ConfigureAwait(false);
            return Results.Json(_host.Find(spec.Id)!.Summary(), s_json, statusCode: StatusCodes.Status201Created);
        }
        catch (StreamRequestException ex)
        {
            return Error(StatusOf(ex.Error), ex.Message);
        }
    }

    private IResult Get(string id) =>
        _host.Find(id) is { } stream ? Results.Json(stream.Detail(), s_json) : Error(StatusCodes.Status404NotFound, $"id: no stream '{id}'");

    private async Task<IResult> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await _host.StopAsync(id, cancellationToken).ConfigureAwait(false)
            ? Results.NoContent()
            : Error(StatusCodes.Status404NotFound, $"id: no stream '{id}'");

    private sealed record ErrorBody(string Error);
}
