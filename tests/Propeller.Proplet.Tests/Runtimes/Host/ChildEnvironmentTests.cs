using Propeller.Proplet.Runtimes.Host;

namespace Propeller.Proplet.Tests.Runtimes.Host;

public sealed class ChildEnvironmentTests
{
    private static readonly Dictionary<string, string> Proplet = new()
    {
        ["PATH"] = "/opt/bin:/usr/bin",
        ["HOME"] = "/home/proplet",
        ["LANG"] = "C.UTF-8",
        ["PROPLET_API_KEY"] = "secret",
        ["PROPLET_ENTITY_ID"] = "p1",
        ["AWS_SECRET_ACCESS_KEY"] = "x",
    };

    [Fact]
    public void Build_KeepsOnlyPathHomeLangOfTheProplet()
    {
        var environment = ChildEnvironment.Build(new Dictionary<string, string> { ["PROPLET_ID"] = "p1" }, Lookup(Proplet));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["PATH"] = "/opt/bin:/usr/bin",
                ["HOME"] = "/home/proplet",
                ["LANG"] = "C.UTF-8",
                ["PROPLET_ID"] = "p1",
            },
            environment);
    }

    [Fact]
    public void Build_TaskEnvironment_OverridesTheInheritedValues()
    {
        var environment = ChildEnvironment.Build(
            new Dictionary<string, string> { ["PATH"] = "/task/bin", ["K"] = "V" }, Lookup(Proplet));

        Assert.Equal("/task/bin", environment["PATH"]);
        Assert.Equal("V", environment["K"]);
    }

    [Fact]
    public void Build_NoPathInTheProplet_UsesAMinimalPath()
    {
        var environment = ChildEnvironment.Build(new Dictionary<string, string>(), Lookup([]));

        Assert.Equal(new Dictionary<string, string> { ["PATH"] = ChildEnvironment.DefaultPath }, environment);
    }

    [Fact]
    public void Build_NamesAProcessEnvironmentCannotHold_AreLeftOut()
    {
        var environment = ChildEnvironment.Build(
            new Dictionary<string, string> { [""] = "a", ["A=B"] = "b", ["N\0"] = "c", ["V"] = "x\0y", ["OK"] = "1" }, Lookup([]));

        Assert.Equal(["OK", "PATH"], environment.Keys.Order(StringComparer.Ordinal));
    }

    private static Func<string, string?> Lookup(Dictionary<string, string> variables) =>
        name => variables.TryGetValue(name, out var value) ? value : null;
}
