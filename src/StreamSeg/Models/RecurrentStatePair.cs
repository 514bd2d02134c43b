namespace StreamSeg.Models;

/// <summary>A recurrent state of a video model: the output <paramref name="Output"/> of one frame is fed to the input <paramref name="Input"/> of the next frame of the same source.</summary>
/// <param name="Input">The state input name (for example RVM's <c>r1i</c>).</param>
/// <param name="Output">The output name that produces it (for example <c>r1o</c>, or <c>Identity_2</c> as TF.js names it).</param>
public readonly record struct RecurrentStatePair(string Input, string Output);
