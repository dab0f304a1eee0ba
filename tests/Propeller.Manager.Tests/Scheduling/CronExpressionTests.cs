using Propeller.Manager.Tasks;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>The cron expression rules of manager-reference §6, on the pure next-run computation.</summary>
public sealed class CronExpressionTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void NextRun_NoonInBerlinAcrossTheSpringChange_FollowsTheWallClock()
    {
        // 12:30 CET on 28 March 2026; clocks go forward that night, so the next noon is 10:00 UTC, not 11:00.
        var next = TaskSchedule.NextRun("0 12 * * *", "Europe/Berlin", Utc(3, 28, 11, 30));

        Assert.Equal(Utc(3, 29, 10), next);
    }

    [Fact]
    public void NextRun_ExactlyOnAMatch_IsTheFollowingOne()
    {
        Assert.Equal(Utc(1, 1, 11), TaskSchedule.NextRun("0 * * * *", null, Utc(1, 1, 10)));
    }

    [Fact]
    public void NextRun_DayOfMonthAndDayOfWeekBothSet_EitherMatches()
    {
        // 1 January 2026 is a Thursday: "the 13th or a Friday" first matches Friday the 2nd, not Friday 13 February.
        Assert.Equal(Utc(1, 2, 0), TaskSchedule.NextRun("0 0 13 * FRI", null, Utc(1, 1, 0)));
    }

    [Fact]
    public void NextRun_ImpossibleDate_IsTheZeroTime()
    {
        Assert.Equal(DateTimeOffset.MinValue, TaskSchedule.NextRun("0 0 30 2 *", null, Utc(1, 1, 0)));
    }

    [Fact]
    public void NextRun_TimeZonePrefix_OverridesTheField()
    {
        Assert.Equal(Utc(6, 15, 10), TaskSchedule.NextRun("TZ=Europe/Berlin 0 12 * * *", "UTC", Utc(6, 15, 9)));
        Assert.Equal(Utc(6, 15, 10), TaskSchedule.NextRun("CRON_TZ=Europe/Berlin 0 12 * * *", null, Utc(6, 15, 9)));
    }

    [Fact]
    public void NextRun_UnknownZone_FallsBackToUtc()
    {
        // The API refuses unknown zones with 400 (our deviation); the computation itself still falls back like the original.
        Assert.Equal(Utc(6, 15, 12), TaskSchedule.NextRun("0 12 * * *", "Nowhere/Land", Utc(6, 15, 9)));
    }

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("*/5 1-5 1,15 * *")]
    [InlineData("0-30/10 * * * *")]
    [InlineData("0 9 * JAN-DEC MON-FRI")]
    [InlineData("0 0 ? * SUN")]
    [InlineData("TZ=Europe/Berlin 0 12 * * *")]
    public void IsValid_StandardFiveFieldForms_Accepted(string expression)
    {
        Assert.True(TaskSchedule.IsValid(expression));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0 * * * * *")]
    [InlineData("@daily")]
    [InlineData("@every 5m")]
    [InlineData("* * *")]
    [InlineData("60 * * * *")]
    public void IsValid_SecondsDescriptorsAndGarbage_Refused(string expression)
    {
        Assert.False(TaskSchedule.IsValid(expression));
        Assert.Equal(DateTimeOffset.MinValue, TaskSchedule.NextRun(expression, null, Utc(1, 1, 0)));
    }
}
