namespace StreamSeg.Serving;

/// <summary>
/// One stream a service runs: what <c>POST /api/streams</c> takes and what the desired-streams file keeps.
/// </summary>
/// <param name="Id">The stream's id: its key in the API, the cluster (one sharded entity per id) and the MQTT topic.</param>
/// <param name="Source">A file, camera or stream URL, as <c>--source</c> takes it (credentials are never printed).</param>
/// <param name="Publish">Where the annotated video is pushed (RTSP), if anywhere.</param>
/// <param name="Record">An MP4 file the annotated video is written to, if any.</param>
/// <param name="Meta">An NDJSON file the per-frame metadata is written to, if any.</param>
/// <param name="Loop">For a file: read it as a live camera would deliver it, at its frame rate, from the start again at its end.</param>
public sealed record StreamSpec(string Id, string Source, string? Publish = null, string? Record = null, string? Meta = null, bool Loop = false);
