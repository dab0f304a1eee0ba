using System.Net;
using System.Text;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class RequestHandlingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Post_WithoutJsonContentType_Returns400UnsupportedContentType(string? contentType)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        using var content = new ByteArrayContent("""{"name":"t"}"""u8.ToArray());
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        var error = await (await host.Http.PostAsync("tasks", content)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.StartsWith("unsupported content type", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ContentTypeContainingApplicationJson_IsAccepted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        using var content = new StringContent("""{"name":"t"}""", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

        await (await host.Http.PostAsync("tasks", content)).ReadJsonAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("""{"name":5}""")]
    [InlineData("""{"name":"t","state":"running"}""")]
    [InlineData("""{"name":"t","daemon":"yes"}""")]
    [InlineData("""{"name":"t","env":{"A":1}}""")]
    [InlineData("""{"name":"t","metadata":[1]}""")]
    [InlineData("""{"name":"t","created_at":"yesterday"}""")]
    public async Task Post_MalformedJsonOrWrongTypes_Returns400WithParserMessage(string body)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.StartsWith("invalid JSON body", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOverTheCap_Returns413Json()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { HttpMaxBodyBytes = 4096 });
        var big = new string('x', 10_000);

        var error = await (await host.Http.PostJsonAsync("tasks", $$"""{"name":"{{big}}"}""")).ReadErrorAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("too large", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_OverTheCap_Returns413Json()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { HttpMaxBodyBytes = 4096 });
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        var content = new byte[10_000];
        "\0asm"u8.CopyTo(content);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", "big.wasm" } };

        // Expect: 100-continue lets the server refuse before the body is sent; otherwise its early answer and close
        // can race the client still writing, which then sees a connection reset instead of the 413.
        using var request = new HttpRequestMessage(HttpMethod.Put, $"tasks/{created["id"]}/upload") { Content = form };
        request.Headers.ExpectContinue = true;
        await (await host.Http.SendAsync(request)).ReadErrorAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("proplets//sdf")]
    [InlineData("proplets//alive-history")]
    [InlineData("tasks//results")]
    public async Task Get_EmptyIdSegment_Returns400(string path)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.GetAsync(path)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ListWithTrailingSlash_IsRouted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync("proplets/")).ReadJsonAsync();
        await (await host.Http.GetAsync("tasks/")).ReadJsonAsync();
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("nothing-here")).StatusCode);
    }

    [Fact]
    public async Task WrongMethod_Returns405()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await host.Http.PatchAsync("tasks", Http.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "health"))).StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheRoutes()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var document = await (await host.CreateClient(null).GetAsync("openapi/v1.json")).ReadJsonAsync();

        var paths = document["paths"]!.AsObject();
        Assert.Contains("/tasks", paths.Select(p => p.Key));
        Assert.Contains("/tasks/{id}/start", paths.Select(p => p.Key));
        Assert.Contains("/proplets/{id}/sdf", paths.Select(p => p.Key));
        Assert.Equal("create-task", paths["/tasks"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.NotNull(paths["/tasks"]!["post"]!["requestBody"]!["content"]!["application/json"]);
    }
}
