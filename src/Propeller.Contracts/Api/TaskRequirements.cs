using System.Text.Json.Serialization;

namespace Propeller.Contracts.Api;

/// <summary>
/// Where a task may run (ours, additive): every field set must match the proplet's discovery metadata.
/// Empty fields are omitted.
/// </summary>
public sealed record TaskRequirements
{
    /// <summary>Tags the proplet must all carry (<c>metadata.tags</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Tags { get; set; }

    /// <summary>The least <c>metadata.total_memory_bytes</c> the proplet must report.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong MinMemoryBytes { get; set; }

    /// <summary>The proplet's <c>metadata.cpu_arch</c>, e.g. <c>x86_64</c> or <c>aarch64</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CpuArch { get; set; }

    /// <summary>The proplet's <c>metadata.wasm_runtime</c>, e.g. <c>wasmtime-internal</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WasmRuntime { get; set; }
}
