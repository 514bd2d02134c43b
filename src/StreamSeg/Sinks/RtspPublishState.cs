namespace StreamSeg.Sinks;

/// <summary>The connection state of an <see cref="RtspPublishSink"/>.</summary>
public enum RtspPublishState
{
    /// <summary>Waiting for the first frame, or ffmpeg has been started and is opening the RTSP session; frames are sent.</summary>
    Connecting,

    /// <summary>The server accepted the stream (ANNOUNCE/SETUP/RECORD done); frames are sent.</summary>
    Live,

    /// <summary>The session was lost or could not be opened; frames are dropped until the next attempt, after a backoff.</summary>
    Reconnecting,

    /// <summary>The sink has been completed or disposed, or its reconnect policy gave up; nothing is sent any more.</summary>
    Stopped,
}
