using System.Net;
using System.Text;
using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class RegistryErrorTextTests
{
    [Theory]
    [InlineData("""{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}""", " (DENIED: requested access to the resource is denied)")]
    [InlineData("""{"errors":[{"code":"UNKNOWN"}]}""", " (UNKNOWN)")]
    [InlineData("""{"errors":[{"message":"only a message"}]}""", " (only a message)")]
    [InlineData("""{"details":"incorrect username or password"}""", " (incorrect username or password)")]
    [InlineData("""{"error":"invalid_grant","error_description":"bad refresh token"}""", " (bad refresh token)")]
    [InlineData("""{"errors":[]}""", "")]
    [InlineData("""{"errors":"not an array","message":"fallback"}""", " (fallback)")]
    [InlineData("""[1,2]""", "")]
    [InlineData("""{"errors":[{"detail":{}}]}""", "")]
    [InlineData("rate limit exceeded\n", " (rate limit exceeded)")]
    [InlineData("<html><body>Bad gateway</body></html>", "")]
    [InlineData("", "")]
    public async Task DetailAsync_Body_QuotesWhatTheRegistrySaid(string body, string expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent(body, Encoding.UTF8) };

        Assert.Equal(expected, await RegistryErrorText.DetailAsync(response, CancellationToken.None));
    }

    [Fact]
    public async Task DetailAsync_LongMessage_IsCut()
    {
        var json = $$"""{"errors":[{"code":"X","message":"{{new string('m', 5000)}}"}]}""";
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(json) };

        var detail = await RegistryErrorText.DetailAsync(response, CancellationToken.None);

        Assert.True(detail.Length < 400, detail);
        Assert.EndsWith("…)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetailAsync_HugeBody_ReadsOnlyAPrefix()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(new string('z', 10_000_000))) };

        var detail = await RegistryErrorText.DetailAsync(response, CancellationToken.None);

        Assert.StartsWith(" (zzz", detail, StringComparison.Ordinal);
        Assert.True(detail.Length < 400);
    }

    [Fact]
    public void Status_ReasonPhrase_IsCodeAndReason()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        Assert.Equal("401 Unauthorized", RegistryErrorText.Status(response));
    }
}
