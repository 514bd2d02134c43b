using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Inference;

/// <summary>
/// Creates ONNX Runtime sessions on the best provider that loads: with <see cref="ExecutionDevice.Auto"/>, TensorRT
/// (FP16, engine and timing cache in a folder keyed by model hash, GPU, driver and versions; see
/// <see cref="TensorRtEngineCache"/> and <see cref="TensorRtOptions"/>), then CUDA, then CPU. Every step that fails is
/// logged with its reason (a warning); a forced device fails with a clear error instead of falling back.
/// </summary>
/// <remarks>
/// ONNX Runtime's C# API has no automatic provider fallback: appending a provider whose library (or one of its
/// dependencies: CUDA, cuDNN, TensorRT) cannot be loaded throws, so each attempt builds fresh session options.
/// </remarks>
public sealed partial class OnnxSessionFactory
{
    private readonly SessionFactoryOptions _options;
    private readonly ILogger<OnnxSessionFactory> _logger;
    private readonly Dictionary<ExecutionDevice, string> _unavailable = [];
    private string? _tensorRtVersion;

    /// <summary>Creates the factory; <paramref name="logger"/> gets a warning for each provider that does not load.</summary>
    public OnnxSessionFactory(SessionFactoryOptions options, ILogger<OnnxSessionFactory>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DeviceId);
        _options = options;
        _logger = logger ?? NullLogger<OnnxSessionFactory>.Instance;
        PinnedHostMemory = new PinnedHostMemorySource(options.DeviceId);
    }

    /// <summary>Gets the CUDA pinned host memory for model inputs, taken from the first CUDA or TensorRT session created (<see cref="InputMemorySelector"/>).</summary>
    public PinnedHostMemorySource PinnedHostMemory { get; }

    /// <summary>Gets the ONNX Runtime version.</summary>
    public static string OrtVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>Creates a session for <paramref name="modelPath"/>; returns it with the provider actually used.</summary>
    public (InferenceSession Session, string Provider) Create(string modelPath) => Create(modelPath, (TensorRtProfile?)null);

    /// <summary>
    /// As <see cref="Create(string)"/>; on TensorRT the engine is built for <paramref name="profile"/>'s shapes (when
    /// given) as the session is created, and cached under a key that includes the profile.
    /// </summary>
    public (InferenceSession Session, string Provider) Create(string modelPath, TensorRtProfile? profile)
    {
        ThrowIfMissing(modelPath);

        return Create(modelPath, null, profile);
    }

    /// <summary>
    /// Creates a session for a model held in memory (for example one with a preprocessing graph prepended);
    /// <paramref name="modelPath"/> names it in messages. The TensorRT engine cache is keyed by these bytes.
    /// </summary>
    public (InferenceSession Session, string Provider) Create(byte[] model, string modelPath) => Create(model, modelPath, null);

    /// <summary>As <see cref="Create(byte[], string)"/>, with a TensorRT shape profile (see <see cref="Create(string, TensorRtProfile?)"/>).</summary>
    public (InferenceSession Session, string Provider) Create(byte[] model, string modelPath, TensorRtProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(modelPath, model, profile);
    }

    /// <summary>
    /// Opens <paramref name="modelPath"/> on the CPU with default options, to read its signature and metadata
    /// without building anything for a GPU. The caller disposes it.
    /// </summary>
    public static InferenceSession CreateForInspection(string modelPath)
    {
        ThrowIfMissing(modelPath);

        try
        {
            return new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException ex)
        {
            throw CannotLoad(modelPath, ex);
        }
    }

    private (InferenceSession Session, string Provider) Create(string modelPath, byte[]? model, TensorRtProfile? profile)
    {
        ExecutionDevice[] chain = Chain();

        var failures = new List<string>();
        foreach (ExecutionDevice device in chain)
        {
            // A provider that failed to load for an earlier model fails the same way now: skip it quietly.
            if (chain.Length > 1 && _unavailable.TryGetValue(device, out string? known))
            {
                failures.Add($"{ProviderName(device)}: {known}");
                continue;
            }

            SessionOptions? options = null;
            string? createdCache = null;
            try
            {
                (options, string? cache) = BuildOptions(device, modelPath, model, profile);

                // Created only once the providers have loaded, so a machine without TensorRT gets no folders; ONNX
                // Runtime creates only the last level itself.
                if (cache is not null && !Directory.Exists(cache))
                {
                    Directory.CreateDirectory(cache);
                    createdCache = cache;
                }

                var session = model is null ? new InferenceSession(modelPath, options) : new InferenceSession(model, options);
                if (device != ExecutionDevice.Cpu)
                {
                    PinnedHostMemory.OnGpuSession(session);
                }

                return (session, ProviderName(device));
            }
            catch (OnnxRuntimeException ex) when (device != ExecutionDevice.Cpu)
            {
                RemoveIfEmpty(createdCache);
                string reason = MarkUnavailable(chain, device, ex);
                failures.Add($"{ProviderName(device)}: {reason}");
            }
            catch (OnnxRuntimeException ex)
            {
                throw CannotLoad(modelPath, ex);
            }
            finally
            {
                options?.Dispose();
            }
        }

        throw new InvalidOperationException($"Device '{_options.Device.ToString().ToLowerInvariant()}' could not be used for '{modelPath}': {string.Join("; ", failures)}");
    }

    /// <summary>
    /// Gets the first device of the chain whose provider loads here (TensorRT, CUDA, or CPU), without creating a
    /// session: how a caller decides, before loading, whether the models will run on a GPU. A provider that does not
    /// load is logged and remembered, exactly as <see cref="Create(string)"/> would.
    /// </summary>
    public ExecutionDevice ProbeDevice()
    {
        ExecutionDevice[] chain = Chain();
        foreach (ExecutionDevice device in chain)
        {
            if (device == ExecutionDevice.Cpu)
            {
                return device;
            }

            if (_unavailable.ContainsKey(device))
            {
                continue;
            }

            try
            {
                if (device == ExecutionDevice.TensorRt)
                {
                    _ = LoadTensorRt();
                }
                else
                {
                    _ = OrtEnv.Instance();
                    using var options = new SessionOptions();
                    AppendCuda(options);
                }

                return device;
            }
            catch (OnnxRuntimeException ex)
            {
                _ = MarkUnavailable(chain, device, ex);
            }
        }

        // A forced GPU device that does not load: nothing will run on a GPU (creating the session will say why).
        return ExecutionDevice.Cpu;
    }

    /// <summary>
    /// Remembers that <paramref name="device"/> does not load here and why, and says so when the chain falls back to the
    /// next device; returns the reason.
    /// </summary>
    private string MarkUnavailable(ExecutionDevice[] chain, ExecutionDevice device, OnnxRuntimeException ex)
    {
        string reason = Reason(ex.Message);
        _unavailable[device] = reason;
        if (chain.Length > 1)
        {
            LogFallingBack(_logger, ProviderName(device), reason, ProviderName(chain[Array.IndexOf(chain, device) + 1]));
        }

        return reason;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} unavailable ({Reason}); falling back to {Fallback}.")]
    private static partial void LogFallingBack(ILogger logger, string provider, string reason, string fallback);

    private ExecutionDevice[] Chain() => _options.Device switch
    {
        ExecutionDevice.Auto => [ExecutionDevice.TensorRt, ExecutionDevice.Cuda, ExecutionDevice.Cpu],
        ExecutionDevice.TensorRt => [ExecutionDevice.TensorRt],
        ExecutionDevice.Cuda => [ExecutionDevice.Cuda],
        _ => [ExecutionDevice.Cpu],
    };

    /// <summary>Gets the display name of a provider.</summary>
    public static string ProviderName(ExecutionDevice device) => device switch
    {
        ExecutionDevice.TensorRt => "TensorRT",
        ExecutionDevice.Cuda => "CUDA",
        _ => "CPU",
    };

    /// <summary>
    /// Loads TensorRT (once per factory) and describes the engine a TensorRT session of <paramref name="modelPath"/>
    /// gets with these options: model hash, GPU, driver, ONNX Runtime and TensorRT versions, precision.
    /// </summary>
    /// <exception cref="InvalidOperationException">TensorRT cannot be loaded; the message gives the cause (for example a missing library).</exception>
    public TensorRtEngineIdentity DescribeTensorRtEngine(string modelPath) => DescribeTensorRtEngine(null, modelPath);

    /// <summary>As <see cref="DescribeTensorRtEngine(string)"/>, for a model held in memory (<see cref="Create(byte[], string)"/>); null reads <paramref name="modelPath"/>.</summary>
    public TensorRtEngineIdentity DescribeTensorRtEngine(byte[]? model, string modelPath) => DescribeTensorRtEngine(model, modelPath, null);

    /// <summary>As <see cref="DescribeTensorRtEngine(byte[], string)"/>, for an engine built for <paramref name="profile"/>.</summary>
    public TensorRtEngineIdentity DescribeTensorRtEngine(byte[]? model, string modelPath, TensorRtProfile? profile)
    {
        string version;
        try
        {
            version = LoadTensorRt();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException($"TensorRT cannot be loaded ({Reason(ex.Message)})", ex);
        }

        return Identity(modelPath, model, version, profile);
    }

    /// <summary>Gets the absolute folder the engines of <paramref name="identity"/> are cached in, under <see cref="SessionFactoryOptions.EngineCacheRoot"/>.</summary>
    public string EngineCacheFolder(TensorRtEngineIdentity identity) =>
        Path.GetFullPath(Path.Combine(_options.EngineCacheRoot, TensorRtEngineCache.Key(identity)));

    /// <summary>The identity of an engine of <paramref name="modelPath"/> (or of the bytes <paramref name="model"/>) built with these options by TensorRT <paramref name="tensorRtVersion"/> for <paramref name="profile"/>.</summary>
    internal TensorRtEngineIdentity Identity(string modelPath, byte[]? model, string tensorRtVersion, TensorRtProfile? profile) => new(
        model is null ? TensorRtEngineCache.FileSha256(modelPath) : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model)),
        TensorRtEngineCache.GpuName(_options.DeviceId),
        TensorRtEngineCache.DriverVersion(),
        OrtVersion,
        tensorRtVersion,
        _options.Fp16,
        profile?.Text ?? string.Empty);

    /// <summary>
    /// Loads ONNX Runtime's TensorRT provider library, which loads TensorRT, and returns TensorRT's version; throws
    /// ONNX Runtime's load error when a library is missing. The version is needed for the cache folder, which is a
    /// provider option, so the provider is loaded on its own first.
    /// </summary>
    private string LoadTensorRt()
    {
        if (_tensorRtVersion is not null)
        {
            return _tensorRtVersion;
        }

        // The provider library logs through ONNX Runtime's default logger, which exists only once the environment
        // does; without it a load failure reports the missing logger instead of the missing library.
        _ = OrtEnv.Instance();
        using (var probe = new OrtTensorRTProviderOptions())
        using (var options = new SessionOptions())
        {
            probe.UpdateOptions(new Dictionary<string, string> { ["device_id"] = _options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            options.AppendExecutionProvider_Tensorrt(probe);
        }

        _tensorRtVersion = TensorRtVersion.Detect();
        return _tensorRtVersion;
    }

    private static void RemoveIfEmpty(string? folder)
    {
        if (folder is not null && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    /// <summary>Builds the session options for <paramref name="device"/>, with the TensorRT cache folder to create (null for other devices).</summary>
    private (SessionOptions Options, string? EngineCache) BuildOptions(ExecutionDevice device, string modelPath, byte[]? model, TensorRtProfile? profile)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = _options.IntraOpThreads,
        };
        options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;

        // ONNX Runtime's intra-op threads spin after each run by default. With several sessions (pose + matte) and
        // the pipeline's own threads on few cores, the spinning threads of one session steal the cores the next
        // session's run needs. Measured on 2 cores (bench/RESULTS.md), turning spinning off took the people preset's
        // inference from 122 ms to 82 ms per frame.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        string? cache = null;
        try
        {
            switch (device)
            {
                case ExecutionDevice.TensorRt:
                    cache = AppendTensorRt(options, modelPath, model, profile);
                    AppendCuda(options);
                    break;
                case ExecutionDevice.Cuda:
                    AppendCuda(options);
                    break;
            }
        }
        catch
        {
            options.Dispose();
            throw;
        }

        return (options, cache);
    }

    private void AppendCuda(SessionOptions options)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = _options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            ["do_copy_in_default_stream"] = "1",
        });
        options.AppendExecutionProvider_CUDA(cuda);
    }

    private string AppendTensorRt(SessionOptions options, string modelPath, byte[]? model, TensorRtProfile? profile)
    {
        string cache = EngineCacheFolder(Identity(modelPath, model, LoadTensorRt(), profile));
        using var trt = new OrtTensorRTProviderOptions();
        trt.UpdateOptions(TensorRtOptions.Build(_options.DeviceId, cache, _options.Fp16, profile).ToDictionary());
        options.AppendExecutionProvider_Tensorrt(trt);
        return cache;
    }

    private static void ThrowIfMissing(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Model '{modelPath}': file not found (expected an .onnx file; 'streamseg models info <file>' describes one).", modelPath);
        }
    }

    private static InvalidDataException CannotLoad(string modelPath, OnnxRuntimeException ex) =>
        new($"Model '{modelPath}': ONNX Runtime cannot load it ({FirstLine(ex.Message)}). Expected a valid ONNX model file.", ex);

    /// <summary>Shortens ONNX Runtime's provider-load message to its cause (for example the missing library).</summary>
    public static string Reason(string message)
    {
        string line = FirstLine(message);
        int at = line.LastIndexOf(" with error: ", StringComparison.Ordinal);
        if (at >= 0)
        {
            return line[(at + " with error: ".Length)..].Trim();
        }

        int fail = line.LastIndexOf("FAIL : ", StringComparison.Ordinal);
        return fail >= 0 ? line[(fail + "FAIL : ".Length)..].Trim() : line;
    }

    private static string FirstLine(string text)
    {
        int nl = text.IndexOfAny(['\r', '\n']);
        return nl < 0 ? text : text[..nl];
    }
}
