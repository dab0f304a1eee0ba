using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class AuthChallengeTests
{
    [Fact]
    public void ParseAll_DockerHubBearer_ReadsRealmServiceScope()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\""));
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge.Realm);
        Assert.Equal("registry.docker.io", challenge.Service);
        Assert.Equal("repository:library/alpine:pull", challenge.Scope);
    }

    [Fact]
    public void ParseAll_CommaInsideQuotes_StaysInTheValue()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("Bearer realm=\"https://a/token\", scope=\"repository:app:pull,push\" , service=reg"));
        Assert.Equal("repository:app:pull,push", challenge.Scope);
        Assert.Equal("reg", challenge.Service);
    }

    [Fact]
    public void ParseAll_EscapedQuote_IsUnescaped()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("Basic realm=\"say \\\"hi\\\"\""));
        Assert.Equal("say \"hi\"", challenge.Realm);
    }

    [Fact]
    public void ParseAll_BasicUnquotedAndCaseInsensitive_Works()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("basic Realm=test"));
        Assert.True(challenge.IsBasic);
        Assert.Equal("test", challenge.Realm);
    }

    [Fact]
    public void ParseAll_TwoChallengesInOneHeader_ReturnsBoth()
    {
        var challenges = AuthChallenge.ParseAll("Basic realm=\"a, b\", Bearer realm=\"https://t/token\",service=\"s\"");
        Assert.Equal(2, challenges.Count);
        Assert.Equal("a, b", challenges[0].Realm);
        Assert.True(challenges[1].IsBearer);
        Assert.Equal("https://t/token", challenges[1].Realm);
        Assert.Equal("s", challenges[1].Service);
    }

    [Fact]
    public void ParseAll_SchemeWithoutParameters_Parsed()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("Negotiate"));
        Assert.Equal("Negotiate", challenge.Scheme);
        Assert.Empty(challenge.Parameters);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ,  ")]
    public void ParseAll_Empty_NoChallenges(string? header) => Assert.Empty(AuthChallenge.ParseAll(header));

    [Fact]
    public void ParseAll_UnterminatedQuote_KeepsWhatParsedAndDoesNotThrow()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("Bearer service=\"s\",realm=\"https://t/tok"));
        Assert.Equal("s", challenge.Service);
        Assert.Null(challenge.Realm);
    }

    [Fact]
    public void Select_BasicAndBearerOffered_PrefersBearer()
    {
        var challenge = AuthChallenge.Select(["Basic realm=\"r\"", "Bearer realm=\"https://t/token\""]);
        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
    }

    [Fact]
    public void Select_NothingParsable_Null() => Assert.Null(AuthChallenge.Select([""]));
}
