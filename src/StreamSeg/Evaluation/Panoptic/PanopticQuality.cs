namespace StreamSeg.Evaluation.Panoptic;

/// <summary>PQ, SQ and RQ averaged over the categories of one kind (panopticapi's <c>pq_average</c>), as fractions.</summary>
/// <param name="PQ">The mean panoptic quality.</param>
/// <param name="SQ">The mean segmentation quality.</param>
/// <param name="RQ">The mean recognition quality.</param>
/// <param name="N">The number of categories averaged (those with TP + FP + FN &gt; 0); 0 leaves every mean at 0.</param>
public sealed record PanopticQuality(double PQ, double SQ, double RQ, int N);
