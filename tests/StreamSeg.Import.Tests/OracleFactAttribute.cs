namespace StreamSeg.Import.Tests;

/// <summary>A fact that is skipped, with the reason, when the real TF.js model it needs is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OracleFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute for <paramref name="model"/> (file stem in the package).</summary>
    public OracleFactAttribute(string model)
    {
        string? reason = ModelPackage.SkipReason(model);
        if (reason is not null)
        {
            Skip = reason;
        }
    }
}
