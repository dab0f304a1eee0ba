using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class OciReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("127.0.0.1:5000/app:v1", "127.0.0.1:5000", "app", "v1", null)]
    [InlineData("localhost:5000/team/app", "localhost:5000", "team/app", null, null)]
    [InlineData("localhost/app:1.0", "localhost", "app", "1.0", null)]
    [InlineData("ghcr.io/absmach/propeller/addition:latest", "ghcr.io", "absmach/propeller/addition", "latest", null)]
    [InlineData("registry.example.com:8443/a/b/c:_tag.with-dots", "registry.example.com:8443", "a/b/c", "_tag.with-dots", null)]
    [InlineData("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", null)]
    [InlineData("Registry.Example.COM/app", "registry.example.com", "app", null, null)]
    [InlineData("alpine", "docker.io", "library/alpine", null, null)]
    [InlineData("alpine:3.20", "docker.io", "library/alpine", "3.20", null)]
    [InlineData("user/app:v2", "docker.io", "user/app", "v2", null)]
    [InlineData("docker.io/alpine", "docker.io", "library/alpine", null, null)]
    [InlineData("index.docker.io/user/app", "docker.io", "user/app", null, null)]
    [InlineData("a.b/x.y_z__w-v---u:t", "a.b", "x.y_z__w-v---u", "t", null)]
    public void TryParse_ValidReference_SplitsRegistryRepositoryAndTag(string text, string registry, string repository, string? tag, string? digest)
    {
        Assert.True(OciReference.TryParse(text, out var reference, out var error), error);
        Assert.Equal(new OciReference(registry, repository, tag, digest), reference);
        Assert.Null(error);
    }

    [Fact]
    public void TryParse_Digest_DigestWinsOverTagForFetching()
    {
        Assert.True(OciReference.TryParse($"127.0.0.1:5000/app:v1@sha256:{Hex}", out var reference, out _));
        Assert.Equal("v1", reference.Tag);
        Assert.Equal("sha256:" + Hex, reference.Digest);
        Assert.Equal("sha256:" + Hex, reference.ManifestReference);
    }

    [Fact]
    public void TryParse_DigestWithoutTag_NoTag()
    {
        Assert.True(OciReference.TryParse($"ghcr.io/org/app@sha256:{Hex}", out var reference, out _));
        Assert.Null(reference.Tag);
        Assert.Equal("sha256:" + Hex, reference.ManifestReference);
    }

    [Fact]
    public void ManifestReference_NoTagNoDigest_IsLatest()
    {
        Assert.True(OciReference.TryParse("ghcr.io/org/app", out var reference, out _));
        Assert.Equal("latest", reference.ManifestReference);
    }

    [Theory]
    [InlineData("docker.io/library/alpine", "registry-1.docker.io")]
    [InlineData("alpine", "registry-1.docker.io")]
    [InlineData("ghcr.io/org/app", "ghcr.io")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000")]
    public void ApiHost_Registry_IsTheHostServingV2(string text, string apiHost)
    {
        Assert.True(OciReference.TryParse(text, out var reference, out _));
        Assert.Equal(apiHost, reference.ApiHost);
    }

    [Theory]
    [InlineData("", "OCI reference is empty")]
    [InlineData("   ", "OCI reference is empty")]
    [InlineData("app:v 1", "contains whitespace")]
    [InlineData("https://ghcr.io/org/app", "without a URL scheme")]
    [InlineData("ghcr.io/org/app:", "invalid tag ''")]
    [InlineData("ghcr.io/org/app:-bad", "invalid tag '-bad'")]
    [InlineData("ghcr.io/org/app:.bad", "invalid tag '.bad'")]
    [InlineData("ghcr.io/org/app:bad+tag", "invalid tag 'bad+tag'")]
    [InlineData("ghcr.io/org/app@sha256:abc", "invalid digest 'sha256:abc'")]
    [InlineData("ghcr.io/org/app@md5:0123456789abcdef0123456789abcdef", "invalid digest")]
    [InlineData("ghcr.io/org/app@", "invalid digest ''")]
    [InlineData("ghcr.io/org/app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "invalid digest")]
    [InlineData("ghcr.io/Org/App", "repository names must be lowercase")]
    [InlineData("ghcr.io/", "invalid repository ''")]
    [InlineData("ghcr.io//app", "invalid repository '/app'")]
    [InlineData("ghcr.io/app/", "invalid repository 'app/'")]
    [InlineData("ghcr.io/-app", "invalid repository '-app'")]
    [InlineData("ghcr.io/app-", "invalid repository 'app-'")]
    [InlineData("ghcr.io/a..b", "invalid repository 'a..b'")]
    [InlineData("ghcr.io/a___b", "invalid repository 'a___b'")]
    [InlineData("ghcr.io/a-.b", "invalid repository 'a-.b'")]
    [InlineData("ghcr.io/a$b", "invalid repository 'a$b'")]
    [InlineData(":tag", "repository name is missing")]
    [InlineData("host:99999/app", "invalid registry 'host:99999'")]
    [InlineData("host:/app", "invalid registry 'host:'")]
    [InlineData("-host.io/app", "invalid registry '-host.io'")]
    [InlineData("ho_st.io/app", "invalid registry 'ho_st.io'")]
    [InlineData("[zz]:5000/app", "invalid registry '[zz]:5000'")]
    public void TryParse_InvalidReference_ExplainsWhy(string text, string expected)
    {
        Assert.False(OciReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TagLongerThan128_Rejected()
    {
        Assert.False(OciReference.TryParse("ghcr.io/app:" + new string('a', 129), out _, out var error));
        Assert.Contains("invalid tag", error, StringComparison.Ordinal);
        Assert.True(OciReference.TryParse("ghcr.io/app:" + new string('a', 128), out _, out _));
    }

    [Fact]
    public void TryParse_NameLongerThan255_Rejected()
    {
        Assert.False(OciReference.TryParse("ghcr.io/" + new string('a', 250), out _, out var error));
        Assert.Contains("longer than 255", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1")]
    [InlineData("alpine", "docker.io/library/alpine")]
    [InlineData("user/app:v2", "docker.io/user/app:v2")]
    [InlineData("ghcr.io/org/app", "ghcr.io/org/app")]
    [InlineData("[::1]:5000/app:v1", "[::1]:5000/app:v1")]
    [InlineData("ghcr.io/org/app:v1@sha256:" + Hex, "ghcr.io/org/app:v1@sha256:" + Hex)]
    [InlineData("ghcr.io/org/app@sha256:" + Hex, "ghcr.io/org/app@sha256:" + Hex)]
    public void ToString_ParsedReference_IsCanonicalAndRoundTrips(string text, string canonical)
    {
        Assert.True(OciReference.TryParse(text, out var reference, out _));
        Assert.Equal(canonical, reference.ToString());
        Assert.True(OciReference.TryParse(reference.ToString(), out var again, out _));
        Assert.Equal(reference, again);
    }

    [Fact]
    public void Parse_Invalid_ThrowsOciRegistryExceptionWithTheError()
    {
        var ex = Assert.Throws<OciRegistryException>(() => OciReference.Parse("ghcr.io/App"));
        Assert.Contains("must be lowercase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithDigest_Reference_KeepsTagAndAddsDigest()
    {
        var reference = OciReference.Parse("ghcr.io/org/app:v1").WithDigest("sha256:" + Hex);
        Assert.Equal("ghcr.io/org/app:v1@sha256:" + Hex, reference.ToString());
    }
}
