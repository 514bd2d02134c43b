namespace StreamSeg.Evaluation.Mot;

/// <summary>The per-frame events of a <see cref="MotAccumulator"/>, after py-motmetrics' event types.</summary>
public enum MotEventType
{
    /// <summary>A ground truth paired with the hypothesis it was last paired with (or never paired before).</summary>
    Match,

    /// <summary>A ground truth paired with a different hypothesis than at its last pairing (an ID switch).</summary>
    Switch,

    /// <summary>A ground truth left unpaired.</summary>
    Miss,

    /// <summary>A hypothesis left unpaired.</summary>
    FalsePositive,

    /// <summary>Extra event: a hypothesis paired with a different ground truth than before.</summary>
    Transfer,

    /// <summary>Extra event: a switch to a hypothesis never paired before.</summary>
    Ascend,

    /// <summary>Extra event: a transfer to a ground truth never paired before.</summary>
    Migrate,
}
