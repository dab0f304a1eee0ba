using Propeller.Contracts.Api;
using Propeller.Manager.Scheduling;

namespace Propeller.Manager.Tests.Scheduling;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(4, 4000)]
    public void Backoff_DoublesWithEachAttempt(int failedAttempt, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PropletLossHandler.Backoff(new TaskRetryPolicy { MaxAttempts = 10, BackoffMs = 500 }, failedAttempt));
    }

    [Fact]
    public void Backoff_IsCappedAtFiveMinutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), PropletLossHandler.Backoff(new TaskRetryPolicy { MaxAttempts = 100, BackoffMs = 60_000 }, 60));
    }

    [Fact]
    public void Backoff_ZeroRetriesAtOnce()
    {
        Assert.Equal(TimeSpan.Zero, PropletLossHandler.Backoff(new TaskRetryPolicy { MaxAttempts = 3, BackoffMs = 0 }, 2));
    }
}
