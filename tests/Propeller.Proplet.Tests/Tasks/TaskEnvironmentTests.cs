using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class TaskEnvironmentTests
{
    [Fact]
    public void Build_NoRequestEnvironment_HasOnlyPropletId() =>
        Assert.Equal(new Dictionary<string, string> { ["PROPLET_ID"] = "p1" }, TaskEnvironment.Build(null, "p1"));

    [Fact]
    public void Build_RequestEnvironment_IsKeptAndPropletIdAdded()
    {
        var env = TaskEnvironment.Build(new Dictionary<string, string> { ["K"] = "V" }, "p1");

        Assert.Equal("V", env["K"]);
        Assert.Equal("p1", env["PROPLET_ID"]);
    }

    [Fact]
    public void Build_RequestSetsPropletId_RequestWins() =>
        Assert.Equal("custom", TaskEnvironment.Build(new Dictionary<string, string> { ["PROPLET_ID"] = "custom" }, "p1")["PROPLET_ID"]);
}
