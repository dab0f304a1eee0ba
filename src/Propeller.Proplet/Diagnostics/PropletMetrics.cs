namespace Propeller.Proplet.Diagnostics;

/// <summary>
/// Task and connection counters of one proplet (proplet-reference §6.4), read in process by health checks and tests.
/// </summary>
internal sealed class PropletMetrics
{
    private long _tasksStarted;
    private long _tasksCompleted;
    private long _tasksFailed;
    private long _tasksRunning;
    private long _mqttConnects;
    private long _wasmFetchBytes;

    /// <summary>Starts accepted after the duplicate check.</summary>
    public long TasksStarted => Interlocked.Read(ref _tasksStarted);

    public long TasksCompleted => Interlocked.Read(ref _tasksCompleted);

    /// <summary>Accepted tasks that ended in an error, including stops.</summary>
    public long TasksFailed => Interlocked.Read(ref _tasksFailed);

    /// <summary>Size of the running-task table.</summary>
    public long TasksRunning => Interlocked.Read(ref _tasksRunning);

    /// <summary>Successful MQTT connects, the first one included.</summary>
    public long MqttConnects => Interlocked.Read(ref _mqttConnects);

    /// <summary>Wasm bytes obtained for tasks.</summary>
    public long WasmFetchBytes => Interlocked.Read(ref _wasmFetchBytes);

    public void TaskStarted()
    {
        Interlocked.Increment(ref _tasksStarted);
        Interlocked.Increment(ref _tasksRunning);
    }

    public void TaskLeftRunningTable() => Interlocked.Decrement(ref _tasksRunning);

    public void TaskCompleted() => Interlocked.Increment(ref _tasksCompleted);

    public void TaskFailed() => Interlocked.Increment(ref _tasksFailed);

    public void MqttConnected() => Interlocked.Increment(ref _mqttConnects);

    public void WasmFetched(int bytes) => Interlocked.Add(ref _wasmFetchBytes, bytes);
}
