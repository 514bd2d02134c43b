namespace StreamSeg.Preprocess;

/// <summary>The source columns of TensorFlow's asymmetric bilinear resize for one width pair: left and right neighbours' byte offsets in a BGR row, and the right one's weight.</summary>
/// <param name="Left">Byte offset of the left neighbour of each output column.</param>
/// <param name="Right">Byte offset of the right neighbour of each output column.</param>
/// <param name="Weight">Weight of the right neighbour of each output column.</param>
internal sealed record TfColumns(int[] Left, int[] Right, double[] Weight);
