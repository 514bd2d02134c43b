namespace StreamSeg.Sinks;

/// <summary>How an <see cref="FfmpegSink"/>'s ffmpeg encodes: its log level and the video encoder's settings.</summary>
/// <param name="LogLevel">ffmpeg's <c>-loglevel</c>.</param>
/// <param name="Codec">The video encoder (<c>-c:v</c>).</param>
/// <param name="Preset">The encoder preset, or null/empty for none.</param>
/// <param name="Tune">The encoder tune, or null/empty for none.</param>
/// <param name="Crf">The constant rate factor, or null for the encoder's default.</param>
/// <param name="Threads">The encoder's threads (0: the encoder decides).</param>
/// <param name="PixelFormat">The encoded pixel format (<c>-pix_fmt</c>).</param>
internal readonly record struct FfmpegEncoding(string LogLevel, string Codec, string? Preset, string? Tune, int? Crf, int Threads, string PixelFormat);
