using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class OciCredentialTests
{
    [Fact]
    public void ToString_Secrets_AreMasked()
    {
        var text = new OciCredential("ghcr.io", "bot", "hunter2", "tok-secret").ToString();

        Assert.Contains("ghcr.io", text, StringComparison.Ordinal);
        Assert.Contains("bot", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-secret", text, StringComparison.Ordinal);
    }
}
