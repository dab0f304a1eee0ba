using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Propeller.Contracts.Api;

namespace Propeller.Cli.Commands;

/// <summary>
/// The flags of <c>tasks create</c> and <c>tasks update</c> (ops-reference §1.4). Only flags the user set are
/// sent. <c>--file</c> (additive) embeds a local .wasm as the inline binary.
/// </summary>
internal sealed class TaskFlags
{
    public const long DefaultRetryBackoffMs = 1000;

    private bool _createOnly;

    public Option<string?> ImageUrl { get; } = new("--image-url") { Description = "Wasm source: an http(s) URL or an OCI reference" };

    public Option<FileInfo?> File { get; } = new("--file", "-f") { Description = "A local .wasm (or .wat, compiled here) file to send inline" };

    public Option<string[]> CliArgs { get; } = new("--cli-args") { Description = "Runtime arguments (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };

    public Option<string[]> Inputs { get; } = new("--inputs", "-i") { Description = "Function arguments (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };

    public Option<string[]> Env { get; } = new("--env", "-e") { Description = "Environment entry K=V (repeatable)" };

    public Option<bool> Daemon { get; } = new("--daemon") { Description = "Long-running task: the proplet reports at once" };

    public Option<bool> Latent { get; } = new("--latent") { Description = "Precompile only; run later with invoke" };

    public Option<bool> Encrypted { get; } = new("--encrypted") { Description = "Confidential workload (TEE)" };

    public Option<string?> KbsResourcePath { get; } = new("--kbs-resource-path") { Description = "Key Broker Service path for encrypted workloads" };

    public Option<string?> PropletId { get; } = new("--proplet-id") { Description = "Run on this proplet only" };

    public Option<bool> Broadcast { get; } = new("--broadcast") { Description = "Run on every proplet" };

    public Option<int?> Priority { get; } = new("--priority") { Description = "0-100 (default 50); orders due cron tasks" };

    public Option<string?> Mode { get; } = new("--mode") { Description = "infer or train" };

    public Option<string?> Kind { get; } = new("--kind") { Description = "standard or federated" };

    public Option<string?> Schedule { get; } = new("--schedule") { Description = "5-field cron expression; \"\" clears it on update" };

    public Option<string?> Timezone { get; } = new("--timezone") { Description = "IANA time zone for the schedule (default UTC)" };

    public Option<bool> IsRecurring { get; } = new("--is-recurring") { Description = "Keep the schedule after a run" };

    public Option<string[]> Metadata { get; } = new("--metadata") { Description = "Label K=V (repeatable)" };

    public Option<string[]> Requirement { get; } = new("--requirement")
    {
        Description = "Placement requirement (repeatable): tag=NAME, min_memory_bytes=N, cpu_arch=ARCH, wasm_runtime=NAME",
    };

    public Option<int?> RetryMaxAttempts { get; } = new("--retry-max-attempts") { Description = "Runs in all when the proplet goes offline mid-run (1-100)" };

    public Option<long?> RetryBackoffMs { get; } = new("--retry-backoff-ms") { Description = "Wait before the first re-placement, doubled each time (ms)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { ImageUrl, File, CliArgs, Inputs, Env, Daemon, Latent, Encrypted, KbsResourcePath, PropletId, Broadcast, Priority, Mode, Kind, Schedule, Timezone, IsRecurring, Metadata })
        {
            command.Add(option);
        }
    }

    /// <summary>The flags only <c>tasks create</c> takes: the API sets requirements and retry when a task is created.</summary>
    public void AddCreateOnlyTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _createOnly = true;
        command.Add(Requirement);
        command.Add(RetryMaxAttempts);
        command.Add(RetryBackoffMs);
    }

    public async Task<TaskDto> BuildAsync(CommandContext context, string? name, CancellationToken ct)
    {
        var file = context.Get(File);
        string? inline = null;
        if (file is not null)
        {
            inline = Convert.ToBase64String(await WasmFile.ReadAsync(file, ct).ConfigureAwait(false));
        }

        var metadata = Pairs(context.Get(Metadata));
        return new TaskDto
        {
            Name = name ?? "",
            ImageUrl = context.Get(ImageUrl),
            File = inline,
            CliArgs = SplitList(context.Get(CliArgs)),
            Inputs = SplitList(context.Get(Inputs)),
            Env = Pairs(context.Get(Env)),
            Daemon = context.Get(Daemon),
            Latent = context.Get(Latent),
            Encrypted = context.Get(Encrypted),
            KbsResourcePath = context.Get(KbsResourcePath),
            PropletId = context.Get(PropletId),
            Broadcast = context.Get(Broadcast),
            Priority = context.Get(Priority) ?? 0,
            Mode = context.Get(Mode),
            Kind = context.Get(Kind),
            Schedule = context.Get(Schedule),
            Timezone = context.Get(Timezone),
            IsRecurring = context.Get(IsRecurring),
            Metadata = metadata?.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, Contracts.Serialization.PropellerJsonContext.Default.String)),
            Requirements = _createOnly ? Requirements(context.Get(Requirement)) : null,
            Retry = _createOnly ? Retry(context.Get(RetryMaxAttempts), context.Get(RetryBackoffMs)) : null,
        };
    }

    /// <summary><c>--requirement</c> items; <c>tag</c> may repeat, the other keys may not.</summary>
    internal static TaskRequirements? Requirements(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var requirements = new TaskRequirements();
        var tags = new List<string>();
        foreach (var item in values)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var key = eq <= 0 ? "" : item[..eq].Trim();
            var value = eq <= 0 ? "" : item[(eq + 1)..].Trim();
            if (value.Length == 0)
            {
                throw new CliUsageException($"--requirement '{item}' is not of the form KEY=VALUE (keys: tag, min_memory_bytes, cpu_arch, wasm_runtime)");
            }

            switch (key)
            {
                case "tag" or "tags":
                    tags.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "min_memory_bytes":
                    requirements.MinMemoryBytes = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                        ? bytes
                        : throw new CliUsageException($"--requirement min_memory_bytes: '{value}' is not a whole number of bytes");
                    break;
                case "cpu_arch":
                    requirements.CpuArch = value;
                    break;
                case "wasm_runtime":
                    requirements.WasmRuntime = value;
                    break;
                default:
                    throw new CliUsageException($"--requirement: unknown key '{key}' (keys: tag, min_memory_bytes, cpu_arch, wasm_runtime)");
            }
        }

        requirements.Tags = tags.Count > 0 ? tags : null;
        return requirements;
    }

    /// <summary>A retry policy when either flag is given; the backoff defaults to 1000 ms.</summary>
    internal static TaskRetryPolicy? Retry(int? maxAttempts, long? backoffMs)
    {
        if (maxAttempts is null && backoffMs is null)
        {
            return null;
        }

        if (maxAttempts is null)
        {
            throw new CliUsageException("--retry-backoff-ms needs --retry-max-attempts");
        }

        return new TaskRetryPolicy { MaxAttempts = maxAttempts.Value, BackoffMs = backoffMs ?? DefaultRetryBackoffMs };
    }

    /// <summary>Comma-separated values, as the original CLI's slice flags parse them.</summary>
    internal static List<string>? SplitList(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        return values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList();
    }

    /// <summary>K=V items; an item without '=' is an error (the original silently dropped it).</summary>
    internal static Dictionary<string, string>? Pairs(string[]? values)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in values)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"'{item}' is not of the form KEY=VALUE"));
            }

            pairs[item[..eq]] = item[(eq + 1)..];
        }

        return pairs;
    }
}
