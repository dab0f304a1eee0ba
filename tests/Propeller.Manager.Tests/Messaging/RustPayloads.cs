namespace Propeller.Manager.Tests.Messaging;

/// <summary>
/// Payloads shaped exactly as the original Rust proplet publishes them (serde field order, SystemTime objects,
/// string results, explicit <c>error:null</c>), and the embedded C proplet's numeric metrics timestamp.
/// </summary>
internal static class RustPayloads
{
    public const long Seconds = 1735689600;
    public const long Nanos = 123456789;

    public static string Discovery(string propletId, string description = "edge box") => $$$"""
        {"proplet_id":"{{{propletId}}}","namespace":"default","metadata":{"description":"{{{description}}}","tags":["edge","arm"],
        "location":"lab","ip":"192.168.1.20","environment":"binary","os":"linux","hostname":"pi","cpu_arch":"aarch64",
        "total_memory_bytes":8254930944,"proplet_version":"0.5.0","wasm_runtime":"wasmtime-internal"}}
        """;

    public static string Heartbeat(string propletId) => $$$"""{"proplet_id":"{{{propletId}}}","status":"alive","namespace":"default"}""";

    public static string LastWill(string propletId) => $$$"""{"status":"offline","proplet_id":"{{{propletId}}}"}""";

    public static string Success(string taskId, string propletId, string results) =>
        $$$"""{"task_id":"{{{taskId}}}","proplet_id":"{{{propletId}}}","results":"{{{results}}}","error":null}""";

    public static string Failure(string taskId, string propletId, string error) =>
        $$$"""{"task_id":"{{{taskId}}}","proplet_id":"{{{propletId}}}","results":"","error":"{{{error}}}"}""";

    public static string FederatedResult(string taskId, string propletId) => $$$"""
        {"task_id":"{{{taskId}}}","results":{"task_id":"{{{taskId}}}","round_id":"r1","proplet_id":"{{{propletId}}}","num_samples":1,
        "update_b64":"AACAPwAAAEA=","format":"f32-delta","metrics":{}},"error":null}
        """;

    public static string TaskMetrics(string taskId, string propletId, bool aggregated = true) => $$$"""
        {"task_id":"{{{taskId}}}","proplet_id":"{{{propletId}}}","timestamp":{"secs_since_epoch":{{{Seconds}}},"nanos_since_epoch":{{{Nanos}}}},
        "metrics":{"cpu_percent":3.5,"memory_bytes":1048576,"memory_percent":0.0,"disk_read_bytes":0,"disk_write_bytes":4096,
        "uptime_seconds":2,"thread_count":4,"file_descriptor_count":12},
        "aggregated":{{{(aggregated ? Aggregated : "null")}}}}
        """;

    private const string Aggregated =
        """{"avg_cpu_usage":3.0,"max_cpu_usage":3.5,"avg_memory_usage":1000000,"max_memory_usage":1048576,"total_disk_read":0,"total_disk_write":4096,"sample_count":2}""";

    public static string PropletMetrics(string propletId) => $$$"""
        {"proplet_id":"{{{propletId}}}","namespace":"default","timestamp":{"secs_since_epoch":{{{Seconds}}},"nanos_since_epoch":{{{Nanos}}}},
        "cpu_metrics":{"user_seconds":1.25,"system_seconds":0.5,"percent":12.5},
        "memory_metrics":{"rss_bytes":10485760,"heap_alloc_bytes":0,"heap_sys_bytes":0,"heap_inuse_bytes":0,"container_usage_bytes":20971520}}
        """;

    /// <summary>The embedded C proplet sends its uptime in milliseconds as the timestamp.</summary>
    public static string EmbeddedPropletMetrics(string propletId) => $$$"""
        {"proplet_id":"{{{propletId}}}","namespace":"default","timestamp":123456,"cpu_metrics":{"user_seconds":0,"system_seconds":0,"percent":7.5},
        "memory_metrics":{"rss_bytes":0,"heap_alloc_bytes":2048,"heap_sys_bytes":4096,"heap_inuse_bytes":2048,"heap_free_bytes":2048,"heap_max_alloc_bytes":1024}}
        """;
}
