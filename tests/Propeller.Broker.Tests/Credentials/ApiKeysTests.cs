using Propeller.Broker.Credentials;

namespace Propeller.Broker.Tests.Credentials;

public sealed class ApiKeysTests
{
    [Fact]
    public void Generate_IsRandom32ByteBase64Url()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeys.Generate()).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(k).Length));
    }

    [Fact]
    public void Hash_IsSaltedSoTheSameKeyHashesDifferently()
    {
        var first = ApiKeys.Hash("key");
        var second = ApiKeys.Hash("key");

        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.Hash, second.Hash);
        Assert.True(ApiKeys.Verify("key", first));
        Assert.True(ApiKeys.Verify("key", second));
    }

    [Fact]
    public void Verify_TamperedOrMissingHash_Fails()
    {
        var hash = ApiKeys.Hash("key");

        Assert.False(ApiKeys.Verify("key", null));
        Assert.False(ApiKeys.Verify("key", hash with { Algorithm = "md5" }));
        Assert.False(ApiKeys.Verify("key", hash with { Iterations = hash.Iterations + 1 }));
        Assert.False(ApiKeys.Verify("KEY", hash));
    }
}
