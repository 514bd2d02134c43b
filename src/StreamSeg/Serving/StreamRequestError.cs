namespace StreamSeg.Serving;

/// <summary>Why a stream request was refused; the HTTP API maps each to its status code.</summary>
public enum StreamRequestError
{
    /// <summary>A field is missing or wrong (400).</summary>
    Invalid,

    /// <summary>The id exists already (409).</summary>
    Duplicate,

    /// <summary>No such stream (404).</summary>
    NotFound,

    /// <summary>The node or cluster runs <c>--max-streams</c> already (429).</summary>
    Full,

    /// <summary>The node is starting, joining its cluster or shutting down and takes no stream now (503).</summary>
    Unavailable,
}
