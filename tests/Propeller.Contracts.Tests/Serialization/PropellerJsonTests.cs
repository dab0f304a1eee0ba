using System.Text;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Tests.Serialization;

public sealed class PropellerJsonTests
{
    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"id\":")]
    [InlineData("{\"id\":5,\"name\":\"x\"}")]
    [InlineData("{\"id\":\"t\",\"daemon\":\"yes\"}")]
    public void TryParse_MalformedOrWrongTypes_ReturnsError(string json)
    {
        var ok = PropellerJson.TryParse(Encoding.UTF8.GetBytes(json), PropellerJsonContext.Default.StartMessage, out var value, out var error);

        Assert.False(ok);
        Assert.Null(value);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Parse_UnknownFields_AreIgnored()
    {
        var stop = PropellerJson.Parse("""{"id":"t1","future_field":{"x":[1,2]},"broadcast":false}"""u8, PropellerJsonContext.Default.StopMessage);

        Assert.Equal("t1", stop.Id);
        Assert.False(stop.Broadcast);
    }

    [Fact]
    public void Discovery_DirectControl_IsWrittenOnlyWhenSetAndReadBack()
    {
        var plain = PropellerJson.ToText(new Propeller.Contracts.Messages.DiscoveryMessage { PropletId = "p" }, PropellerJsonContext.Default.DiscoveryMessage);
        var direct = PropellerJson.ToText(new Propeller.Contracts.Messages.DiscoveryMessage { PropletId = "p", DirectControl = true }, PropellerJsonContext.Default.DiscoveryMessage);

        Assert.DoesNotContain("direct_control", plain, StringComparison.Ordinal);
        Assert.Contains("\"direct_control\":true", direct, StringComparison.Ordinal);
        Assert.True(PropellerJson.Parse(Encoding.UTF8.GetBytes(direct), PropellerJsonContext.Default.DiscoveryMessage).DirectControl);
    }

    [Fact]
    public void Parse_NumbersAsStrings_AreAccepted()
    {
        var metadata = PropellerJson.Parse("""{"proplet_id":"p","metadata":{"total_memory_bytes":"17179869184"}}"""u8, PropellerJsonContext.Default.DiscoveryMessage);

        Assert.Equal(17179869184UL, metadata.Metadata!.TotalMemoryBytes);
    }

    [Fact]
    public void Parse_MissingFields_KeepTheirDefaultsInsteadOfNull()
    {
        var metrics = PropellerJson.Parse("""{"proplet_id":"p"}"""u8, PropellerJsonContext.Default.PropletMetricsMessage);
        var start = PropellerJson.Parse("""{}"""u8, PropellerJsonContext.Default.StartMessage);

        Assert.NotNull(metrics.CpuMetrics);
        Assert.NotNull(metrics.MemoryMetrics);
        Assert.Equal("", start.Id);
        Assert.Equal("", start.Name);
    }
}
