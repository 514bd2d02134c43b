namespace StreamSeg.Preprocess;

/// <summary>
/// How a frame was placed into a model input: scaled by <see cref="Scale"/> (the same on both axes) and offset by
/// (<see cref="PadX"/>, <see cref="PadY"/>) pixels of padding, following Ultralytics' <c>LetterBox</c>.
/// Maps model-input coordinates back to frame coordinates.
/// </summary>
public readonly record struct LetterboxTransform(float Scale, int PadX, int PadY, int InputWidth, int InputHeight, int SourceWidth, int SourceHeight)
{
    /// <summary>Gets the identity transform for a frame fed at its own size.</summary>
    public static LetterboxTransform Identity(int width, int height) => new(1f, 0, 0, width, height, width, height);

    /// <summary>
    /// Computes the letterbox of a <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/> frame into a
    /// <paramref name="inputWidth"/>×<paramref name="inputHeight"/> input: r = min(H/h, W/w), resized to
    /// round(w·r)×round(h·r), padding split with Ultralytics' ±0.1 rounding (left = round(dw − 0.1)).
    /// </summary>
    public static LetterboxTransform Compute(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        float r = MathF.Min((float)inputHeight / sourceHeight, (float)inputWidth / sourceWidth);
        int newW = (int)MathF.Round(sourceWidth * r, MidpointRounding.ToEven);
        int newH = (int)MathF.Round(sourceHeight * r, MidpointRounding.ToEven);
        float dw = (inputWidth - newW) / 2f;
        float dh = (inputHeight - newH) / 2f;
        int left = (int)MathF.Round(dw - 0.1f, MidpointRounding.ToEven);
        int top = (int)MathF.Round(dh - 0.1f, MidpointRounding.ToEven);
        return new LetterboxTransform(r, left, top, inputWidth, inputHeight, sourceWidth, sourceHeight);
    }

    /// <summary>Gets the width of the resized frame inside the input.</summary>
    public int ResizedWidth => (int)MathF.Round(SourceWidth * Scale, MidpointRounding.ToEven);

    /// <summary>Gets the height of the resized frame inside the input.</summary>
    public int ResizedHeight => (int)MathF.Round(SourceHeight * Scale, MidpointRounding.ToEven);

    /// <summary>Maps an x coordinate from input space to frame space (not clipped).</summary>
    public float ToSourceX(float x) => (x - PadX) / Scale;

    /// <summary>Maps a y coordinate from input space to frame space (not clipped).</summary>
    public float ToSourceY(float y) => (y - PadY) / Scale;

    /// <summary>Maps an x coordinate from frame space to input space.</summary>
    public float ToInputX(float x) => (x * Scale) + PadX;

    /// <summary>Maps a y coordinate from frame space to input space.</summary>
    public float ToInputY(float y) => (y * Scale) + PadY;

    /// <summary>Maps a box from input space to frame space and clips it to the frame.</summary>
    public Decode.BoxF ToSource(in Decode.BoxF box) =>
        new Decode.BoxF(ToSourceX(box.X1), ToSourceY(box.Y1), ToSourceX(box.X2), ToSourceY(box.Y2)).Clip(SourceWidth, SourceHeight);
}
