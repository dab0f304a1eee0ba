using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class OciEndpointTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:5000")]
    [InlineData("LOCALHOST:5000")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:5000")]
    [InlineData("127.10.20.30:443")]
    [InlineData("[::1]:5000")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    public void SchemeFor_LoopbackHost_IsHttp(string host) => Assert.Equal("http", OciEndpoint.SchemeFor(host, []));

    [Theory]
    [InlineData("ghcr.io")]
    [InlineData("registry-1.docker.io")]
    [InlineData("128.0.0.1:5000")]
    [InlineData("10.0.0.5:5000")]
    [InlineData("localhost.example.com")]
    [InlineData("[::2]:5000")]
    public void SchemeFor_OtherHost_IsHttps(string host) => Assert.Equal("https", OciEndpoint.SchemeFor(host, []));

    [Theory]
    [InlineData("registry.lan:5000", "registry.lan:5000", "http")]
    [InlineData("registry.lan:5000", "REGISTRY.lan:5000", "http")]
    [InlineData("registry.lan:5000", "http://registry.lan:5000/", "http")]
    [InlineData("registry.lan:5000", "registry.lan", "http")]
    [InlineData("registry.lan", "registry.lan", "http")]
    [InlineData("registry.lan:5000", "registry.lan:6000", "https")]
    [InlineData("registry.lan", "registry.lan:5000", "https")]
    [InlineData("other.lan:5000", "registry.lan", "https")]
    [InlineData("10.0.0.5:5000", "10.0.0.5", "http")]
    [InlineData("registry-1.docker.io", "docker.io", "http")]
    public void SchemeFor_InsecureRegistries_MatchesHostAndPort(string host, string insecure, string scheme) =>
        Assert.Equal(scheme, OciEndpoint.SchemeFor(host, [insecure]));

    [Fact]
    public void BaseUri_NonLoopbackListedInsecure_UsesPlainHttp()
    {
        var reference = OciReference.Parse("registry.lan:5000/app:v1");
        Assert.Equal(new Uri("https://registry.lan:5000/"), OciEndpoint.BaseUri(reference, []));
        Assert.Equal(new Uri("http://registry.lan:5000/"), OciEndpoint.BaseUri(reference, ["registry.lan:5000"]));
    }

    [Fact]
    public void BaseUri_DockerHub_IsRegistry1()
    {
        Assert.Equal(new Uri("https://registry-1.docker.io/"), OciEndpoint.BaseUri(OciReference.Parse("alpine"), []));
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("Docker.IO", "docker.io")]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData(" ghcr.io/ ", "ghcr.io")]
    public void NormalizeRegistry_Aliases_FoldToOneName(string text, string expected) =>
        Assert.Equal(expected, OciEndpoint.NormalizeRegistry(text));
}
