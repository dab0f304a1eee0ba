using Propeller.Manager.Storage;

namespace Propeller.Manager.Tests.Storage;

public sealed class MetricsKeyTests
{
    [Fact]
    public void For_UtcTimestamp_IsOwnerAndUnixNanoseconds()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

        Assert.Equal("task-1:1735689600123456700", MetricsKey.For("task-1", at));
    }

    [Fact]
    public void For_SameInstantInAnotherOffset_GivesSameKey()
    {
        var utc = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(MetricsKey.For("p", utc), MetricsKey.For("p", utc.ToOffset(TimeSpan.FromHours(5))));
    }

    [Fact]
    public void For_UnsetTime_DoesNotOverflow()
    {
        Assert.Equal("p:-62135596800000000000", MetricsKey.For("p", DateTimeOffset.MinValue));
    }
}
