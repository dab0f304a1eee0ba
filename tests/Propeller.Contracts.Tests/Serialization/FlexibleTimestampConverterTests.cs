using System.Text;
using System.Text.Json;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Tests.Serialization;

public sealed class FlexibleTimestampConverterTests
{
    [Fact]
    public void Read_RustSystemTimeObject_GivesThatInstant()
    {
        var json = """{"proplet_id":"p","timestamp":{"secs_since_epoch":1735689600,"nanos_since_epoch":123456789}}"""u8;

        var message = PropellerJson.Parse(json, PropellerJsonContext.Default.PropletMetricsMessage);

        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), message.Timestamp);
    }

    [Theory]
    [InlineData("2025-01-01T00:00:00.123456789Z", 1234567)]
    [InlineData("2025-01-01T00:00:00Z", 0)]
    [InlineData("2025-01-01T02:00:00.5+02:00", 5000000)]
    public void Read_Rfc3339String_AcceptsNanosecondsAndOffsets(string text, long ticks)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"task_id":"t","timestamp":"{{text}}"}""");

        var message = PropellerJson.Parse(json, PropellerJsonContext.Default.TaskMetricsMessage);

        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticks), message.Timestamp);
    }

    [Fact]
    public void Write_UnsetTime_IsGoZeroTime()
    {
        var json = JsonSerializer.Serialize(new PropletMetricsMessage { Timestamp = DateTimeOffset.MinValue }, PropellerJsonContext.Default.PropletMetricsMessage);

        Assert.Contains("\"timestamp\":\"0001-01-01T00:00:00Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Time_IsUtcRfc3339WithoutTrailingZeros()
    {
        var time = new DateTimeOffset(2025, 3, 4, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1_500_000);

        var json = JsonSerializer.Serialize(new PropletMetricsMessage { Timestamp = time }, PropellerJsonContext.Default.PropletMetricsMessage);

        Assert.Contains("\"timestamp\":\"2025-03-04T05:08:09.15Z\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"timestamp":"yesterday"}""")]
    [InlineData("""{"timestamp":{"secs_since_epoch":-1,"nanos_since_epoch":0}}""")]
    [InlineData("""{"timestamp":{"secs_since_epoch":1,"nanos_since_epoch":1000000000}}""")]
    [InlineData("""{"timestamp":42}""")]
    public void Read_InvalidTimestamp_IsJsonError(string json)
    {
        Assert.False(PropellerJson.TryParse(Encoding.UTF8.GetBytes(json), PropellerJsonContext.Default.TaskMetricsMessage, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
