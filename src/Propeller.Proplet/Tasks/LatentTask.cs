namespace Propeller.Proplet.Tasks;

/// <summary>
/// A latent task as deployed (proplet-reference §2.8): its component and the configuration every invocation starts
/// from. The compiled component itself lives in the runtime's compiled-module cache, keyed by these bytes.
/// </summary>
internal sealed record LatentTask(
    string TaskId,
    string FunctionName,
    ReadOnlyMemory<byte> Wasm,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> Inputs,
    TimeSpan? Timeout);
