namespace StreamSeg.Preprocess;

/// <summary>
/// How a frame was placed into a model input: scaled by <see cref="Scale"/> horizontally and <see cref="ScaleY"/>
/// vertically (the same for a letterbox, following Ultralytics' <c>LetterBox</c>; different for a stretch) and offset
/// by (<see cref="PadX"/>, <see cref="PadY"/>) pixels of padding. Maps model-input coordinates back to frame coordinates.
/// </summary>
/// <param name="Scale">The horizontal scale (and the vertical one unless <see cref="ScaleY"/> is set).</param>
/// <param name="PadX">The left padding in input pixels.</param>
/// <param name="PadY">The top padding in input pixels.</param>
/// <param name="InputWidth">The input width.</param>
/// <param name="InputHeight">The input height.</param>
/// <param name="SourceWidth">The frame width.</param>
/// <param name="SourceHeight">The frame height.</param>
public readonly record struct LetterboxTransform(float Scale, int PadX, int PadY, int InputWidth, int InputHeight, int SourceWidth, int SourceHeight)
{
    // 0 means "same as Scale", so that every existing (Scale, …) construction keeps one scale for both axes.
    private readonly float _scaleY;

    /// <summary>Gets the horizontal scale (input pixels per frame pixel); the same as <see cref="Scale"/>.</summary>
    public float ScaleX => Scale;

    /// <summary>Gets or initialises the vertical scale; it defaults to <see cref="Scale"/>.</summary>
    public float ScaleY
    {
        get => _scaleY == 0 ? Scale : _scaleY;
        init => _scaleY = value;
    }

    /// <summary>Gets whether the two axes are scaled differently (a stretch rather than a letterbox).</summary>
    public bool IsAnisotropic => ScaleY != Scale;

    /// <summary>Gets the identity transform for a frame fed at its own size.</summary>
    public static LetterboxTransform Identity(int width, int height) => new(1f, 0, 0, width, height, width, height);

    /// <summary>
    /// Computes the stretch of a <paramref name="sourceWidth"/>×<paramref name="sourceHeight"/> frame onto a whole
    /// <paramref name="inputWidth"/>×<paramref name="inputHeight"/> input: no padding, one scale per axis.
    /// </summary>
    public static LetterboxTransform Stretch(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        return new LetterboxTransform((float)inputWidth / sourceWidth, 0, 0, inputWidth, inputHeight, sourceWidth, sourceHeight)
        {
            ScaleY = (float)inputHeight / sourceHeight,
        };
    }

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
    public int ResizedHeight => (int)MathF.Round(SourceHeight * ScaleY, MidpointRounding.ToEven);

    /// <summary>Maps an x coordinate from input space to frame space (not clipped).</summary>
    public float ToSourceX(float x) => (x - PadX) / Scale;

    /// <summary>Maps a y coordinate from input space to frame space (not clipped).</summary>
    public float ToSourceY(float y) => (y - PadY) / ScaleY;

    /// <summary>Maps an x coordinate from frame space to input space.</summary>
    public float ToInputX(float x) => (x * Scale) + PadX;

    /// <summary>Maps a y coordinate from frame space to input space.</summary>
    public float ToInputY(float y) => (y * ScaleY) + PadY;

    /// <summary>Maps a box from input space to frame space and clips it to the frame.</summary>
    public Decode.BoxF ToSource(in Decode.BoxF box) =>
        new Decode.BoxF(ToSourceX(box.X1), ToSourceY(box.Y1), ToSourceX(box.X2), ToSourceY(box.Y2)).Clip(SourceWidth, SourceHeight);
}
