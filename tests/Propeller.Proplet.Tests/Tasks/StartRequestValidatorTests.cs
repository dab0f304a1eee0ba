using Propeller.Contracts.Messages;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class StartRequestValidatorTests
{
    [Fact]
    public void Validate_InlineFile_IsValid() =>
        Assert.Null(StartRequestValidator.Validate(new StartMessage { Id = "t", Name = "add", File = "AGFzbQ==" }));

    [Fact]
    public void Validate_ImageUrl_IsValid() =>
        Assert.Null(StartRequestValidator.Validate(new StartMessage { Id = "t", Name = "add", ImageUrl = "reg.io/a:1" }));

    [Theory]
    [InlineData("", "add", "AGFzbQ==", null, false, "id is required")]
    [InlineData("t", "", "AGFzbQ==", null, false, "name is required")]
    [InlineData("t", "add", null, null, false, "either file or image_url must be provided")]
    [InlineData("t", "add", "", "", false, "either file or image_url must be provided")]
    [InlineData("t", "add", null, null, true, "image_url is required for encrypted workloads")]
    [InlineData("t", "add", "AGFzbQ==", "reg.io/a:1", true, "encrypted workloads should only use image_url, not file")]
    public void Validate_Invalid_GivesTheOriginalText(string id, string name, string? file, string? imageUrl, bool encrypted, string expected) =>
        Assert.Equal(expected, StartRequestValidator.Validate(new StartMessage
        {
            Id = id,
            Name = name,
            File = file,
            ImageUrl = imageUrl,
            Encrypted = encrypted,
        }));

    [Fact]
    public void Validate_EncryptedWithImageUrlOnly_IsValid() =>
        Assert.Null(StartRequestValidator.Validate(new StartMessage { Id = "t", Name = "n", ImageUrl = "x/y:z", Encrypted = true }));
}
