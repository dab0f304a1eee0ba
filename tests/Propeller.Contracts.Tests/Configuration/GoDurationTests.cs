using Propeller.Contracts.Configuration;

namespace Propeller.Contracts.Tests.Configuration;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    [InlineData("0.25", 250)]
    [InlineData(" 10s ", 10_000)]
    public void TryParse_ValidText_ReturnsTheDuration(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10 seconds")]
    [InlineData("10d")]
    [InlineData("10x")]
    [InlineData("-5")]
    [InlineData("-5s")]
    [InlineData("1m30")]
    public void TryParse_InvalidText_ReturnsFalse(string? text) =>
        Assert.False(GoDuration.TryParse(text, out _));
}
