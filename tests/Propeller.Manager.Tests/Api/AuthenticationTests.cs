using System.Net;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class AuthenticationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("")]
    public async Task Request_WithoutTheKey_Returns401Json(string? key)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        using var client = host.CreateClient(key);

        var response = await client.GetAsync("tasks");

        await response.ReadErrorAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Request_WithTheWrongScheme_Returns401()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        using var client = host.CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", ManagerTestHost.ApiKey);

        await (await client.GetAsync("proplets")).ReadErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Request_WithTheManagerApiKey_Succeeds()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync("tasks")).ReadJsonAsync();
    }

    [Fact]
    public async Task Request_SeparateHttpApiKey_ReplacesTheMqttKey()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { HttpApiKey = "rest-only" });

        await (await host.Http.GetAsync("tasks")).ReadErrorAsync(HttpStatusCode.Unauthorized);
        using var client = host.CreateClient("rest-only");
        await (await client.GetAsync("tasks")).ReadJsonAsync();
    }

    [Fact]
    public async Task Request_InsecureNoAuth_NeedsNoKey()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { InsecureNoAuth = true });
        using var client = host.CreateClient(null);

        await (await client.GetAsync("tasks")).ReadJsonAsync();
    }

    [Theory]
    [InlineData("health")]
    [InlineData("metrics")]
    [InlineData("openapi/v1.json")]
    public async Task OpenRoutes_NeedNoKey(string path)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        using var client = host.CreateClient(null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }
}
