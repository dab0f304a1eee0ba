using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Monitoring;

/// <summary>
/// Starts the sampling of running tasks that publishes <c>control/proplet/task_metrics</c> (proplet-reference §2.3
/// step 1, §6.2, §6.3). The first sample follows <see cref="FirstSampleDelay"/> after the start, then one per
/// profile interval until the task ends; a daemon is sampled until it stops, not only until its immediate result.
/// </summary>
internal sealed partial class TaskMonitor
{
    /// <summary>Wait before the first sample, so a task that ends at once publishes none.</summary>
    public static readonly TimeSpan FirstSampleDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Shorter profile intervals (0, or a few nanoseconds from a Go Duration) are raised to this.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longer profile intervals are cut to this (a timer cannot wait for centuries).</summary>
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromDays(1);

    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly PropletOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _active;

    public TaskMonitor(PropellerMqttClient client, TopicBuilder topics, PropletOptions options, TimeProvider time, ILogger<TaskMonitor> logger)
    {
        _client = client;
        _topics = topics;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Tasks being sampled now.</summary>
    public int ActiveCount => Volatile.Read(ref _active);

    /// <summary>The start's own profile, else "long-running" for a daemon and "standard" for any other task.</summary>
    public static MonitoringProfile ProfileFor(StartMessage start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return start.MonitoringProfile ?? (start.Daemon ? MonitoringProfile.LongRunning : MonitoringProfile.Standard);
    }

    /// <summary>The sampling period of <paramref name="profile"/>, between <see cref="MinimumInterval"/> and <see cref="MaximumInterval"/>.</summary>
    public static TimeSpan IntervalOf(MonitoringProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var interval = profile.IntervalTimeSpan;
        return interval < MinimumInterval ? MinimumInterval : interval > MaximumInterval ? MaximumInterval : interval;
    }

    /// <summary>
    /// Starts sampling task <paramref name="taskId"/>; dispose the result when the task has ended. Null when the
    /// profile is disabled or does not export to MQTT.
    /// </summary>
    public TaskMonitoring? Start(string taskId, MonitoringProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (!profile.Enabled || !profile.ExportToMqtt)
        {
            return null;
        }

        var interval = IntervalOf(profile);
        var history = profile.RetainHistory && profile.HistorySize > 0 ? new MetricsHistory(profile.HistorySize) : null;
        var sampler = new TaskSampler(profile, _time);
        var stop = new CancellationTokenSource();
        Interlocked.Increment(ref _active);
        Log.MonitoringStarted(_logger, taskId, interval.TotalSeconds);
        var loop = Task.Run(() => SampleAsync(taskId, sampler, history, interval, stop.Token), CancellationToken.None);
        return new TaskMonitoring(sampler, stop, loop);
    }

    private async Task SampleAsync(string taskId, TaskSampler sampler, MetricsHistory? history, TimeSpan interval, CancellationToken stopToken)
    {
        var published = 0;
        try
        {
            await Task.Delay(FirstSampleDelay, _time, stopToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval, _time);
            do
            {
                var metrics = sampler.Sample();
                history?.Add(metrics);
                var message = new TaskMetricsMessage
                {
                    TaskId = taskId,
                    PropletId = _options.PropletId,
                    Timestamp = _time.GetUtcNow(),
                    Metrics = metrics,
                    Aggregated = history?.Aggregate(),
                };
                try
                {
                    await _client.PublishAsync(_topics.PropletTaskMetrics, message, PropellerJson.Context.TaskMetricsMessage, stopToken)
                        .ConfigureAwait(false);
                    published++;
                }
                catch (MqttPublishException e)
                {
                    Log.PublishFailed(_logger, taskId, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stopToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            // The task ended.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The guest thread is gone between the task's end and the stop of its monitoring.
            Log.SamplingFailed(_logger, taskId, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Monitoring must never fail the task it watches.
            Log.MonitoringCrashed(_logger, taskId, e);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            Log.MonitoringStopped(_logger, taskId, published);
        }
    }
}
