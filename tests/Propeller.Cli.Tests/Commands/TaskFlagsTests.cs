using Propeller.Cli.Commands;

namespace Propeller.Cli.Tests.Commands;

public sealed class TaskFlagsTests
{
    [Fact]
    public void SplitList_CommaSeparatedAndRepeated_AreFlattened() =>
        Assert.Equal(["10", "20", "30"], TaskFlags.SplitList(["10,20", "30"]));

    [Fact]
    public void SplitList_Nothing_IsNullSoTheFieldIsNotSent() => Assert.Null(TaskFlags.SplitList([]));

    [Fact]
    public void Pairs_KeepEverythingAfterTheFirstEquals() =>
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "x=y" }, TaskFlags.Pairs(["A=1", "B=x=y"]));

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    public void Pairs_WithoutKey_IsUsageError(string item) =>
        Assert.Throws<CliUsageException>(() => TaskFlags.Pairs([item]));
}
