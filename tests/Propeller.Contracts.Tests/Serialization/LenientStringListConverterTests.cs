using System.Text;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Tests.Serialization;

public sealed class LenientStringListConverterTests
{
    [Fact]
    public void Read_StringsNumbersAndBools_KeepsLiteralText()
    {
        var json = """{"id":"t","name":"add","inputs":["10",20,-3.5e2,true,false]}"""u8;

        var start = PropellerJson.Parse(json, PropellerJsonContext.Default.StartMessage);

        Assert.Equal(["10", "20", "-3.5e2", "true", "false"], start.Inputs);
    }

    [Fact]
    public void Read_NullInputs_IsNull()
    {
        var start = PropellerJson.Parse("""{"id":"t","name":"add","inputs":null}"""u8, PropellerJsonContext.Default.StartMessage);

        Assert.Null(start.Inputs);
    }

    [Theory]
    [InlineData("""{"inputs":[{"a":1}]}""", "[0]: expected string or number")]
    [InlineData("""{"inputs":["a",[1]]}""", "[1]: expected string or number")]
    [InlineData("""{"inputs":"10"}""", "expected an array")]
    public void Read_OtherItems_IsErrorNamingTheIndex(string json, string expected)
    {
        Assert.False(PropellerJson.TryParse(Encoding.UTF8.GetBytes(json), PropellerJsonContext.Default.StartMessage, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
