using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// The part every model adapter shares: checking the arguments and that the signature fits, keeping the options and
/// the confidence threshold, and the <see cref="IModelAdapter"/> properties. Each adapter adds its own signature check
/// (a static <c>TryMatch</c>, which <see cref="ModelAdapterFactory"/> also calls), its defaults and its decode.
/// </summary>
public abstract class ModelAdapter : IModelAdapter
{
    /// <summary>
    /// Checks the arguments and that <paramref name="signature"/> fits (throwing <see cref="ModelNotSupportedException"/>
    /// with <paramref name="tryMatch"/>'s reason when it does not), then keeps the options. The derived constructor
    /// then sets <see cref="Input"/> and <see cref="ClassNames"/> from the signature, which is known to fit by then.
    /// </summary>
    /// <param name="name">The adapter's name as the <c>--adapter</c> flag spells it.</param>
    /// <param name="task">What the model produces.</param>
    /// <param name="signature">The model's signature.</param>
    /// <param name="options">The decoding settings; validated here.</param>
    /// <param name="tryMatch">The adapter's own signature check.</param>
    /// <param name="defaultConfidence">
    /// The minimum score when <see cref="AdapterOptions.ConfidenceThreshold"/> is not set; left at 0 by adapters that
    /// keep no instances (mattes).
    /// </param>
    private protected ModelAdapter(
        string name,
        ModelTask task,
        ModelSignature signature,
        AdapterOptions options,
        SignatureMatcher tryMatch,
        float defaultConfidence = 0f)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!tryMatch(signature, out string? reason))
        {
            throw new ModelNotSupportedException($"Model '{signature.Path}' does not fit {name}: {reason} Found {signature.Describe()}.");
        }

        Name = name;
        Task = task;
        Options = options;
        Confidence = options.ConfidenceThreshold ?? defaultConfidence;
    }

    /// <summary>Checks whether a signature fits an adapter; otherwise says why (the shape of each adapter's <c>TryMatch</c>).</summary>
    private protected delegate bool SignatureMatcher(ModelSignature signature, [NotNullWhen(false)] out string? reason);

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ModelTask Task { get; }

    /// <inheritdoc/>
    /// <remarks>Set by the derived constructor.</remarks>
    public IReadOnlyList<string> ClassNames { get; private protected init; } = [];

    /// <inheritdoc/>
    /// <remarks>Set by the derived constructor.</remarks>
    public InputSpec Input { get; private protected init; } = null!;

    /// <summary>Gets the decoding settings the adapter was created with (validated).</summary>
    private protected AdapterOptions Options { get; }

    /// <summary>Gets the minimum score an instance needs: the options' threshold, or the adapter's default.</summary>
    private protected float Confidence { get; }

    /// <inheritdoc/>
    public abstract Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform);
}
