using Propeller.Manager.Api;

namespace Propeller.Manager.Tests.Api;

public sealed class FileRedactionTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(new byte[0])]
    public void Redact_NoBinary_IsOmitted(byte[]? file) => Assert.Null(FileRedaction.Redact(file));

    [Fact]
    public void Redact_ShortBase64_IsShownInFull()
    {
        var file = new byte[15];

        Assert.Equal(Convert.ToBase64String(file), FileRedaction.Redact(file));
        Assert.Equal(20, FileRedaction.Redact(file)!.Length);
    }

    [Fact]
    public void Redact_LongBase64_KeepsTenCharactersAtEachEnd()
    {
        var file = "\0asm\u0001\0\0\0 some text to make it longer: drivalue"u8.ToArray();
        var base64 = Convert.ToBase64String(file);

        Assert.Equal($"{base64[..10]}<REDACTED>{base64[^10..]}", FileRedaction.Redact(file));
        Assert.StartsWith("AGFzbQEAAA<REDACTED>", FileRedaction.Redact(file), StringComparison.Ordinal);
    }
}
