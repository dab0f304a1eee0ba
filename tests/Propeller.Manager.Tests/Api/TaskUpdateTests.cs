using System.Net;
using System.Net.Http.Headers;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class TaskUpdateTests(ITestOutputHelper output)
{
    private static readonly byte[] Wasm = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];

    [Fact]
    public async Task Update_ChangesOnlyTheUpdatableFields()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"before","image_url":"img:1","inputs":["1"],"priority":10,"env":{"A":"1"}}""");

        var updated = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}",
            """{"name":"after","image_url":"img:2","inputs":[2,3],"priority":90,"metadata":{"k":"v"},"env":{"B":"2"},"state":3,"daemon":true}""")).ReadJsonAsync();

        Assert.Equal("after", updated["name"]!.GetValue<string>());
        Assert.Equal(["2", "3"], updated["inputs"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(90, updated["priority"]!.GetValue<int>());
        Assert.Equal("v", updated["metadata"]!["k"]!.GetValue<string>());
        Assert.Equal("img:1", updated["image_url"]!.GetValue<string>());
        Assert.Equal("1", updated["env"]!["A"]!.GetValue<string>());
        Assert.Equal(0, updated["state"]!.GetValue<int>());
        Assert.False(updated["daemon"]!.GetValue<bool>());
        Assert.NotEqual(created["updated_at"]!.GetValue<string>(), updated["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_EmptyNameAndZeroPriority_KeepStoredValues()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"keep","priority":10}""");

        var updated = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", """{"name":"","priority":0}""")).ReadJsonAsync();

        Assert.Equal("keep", updated["name"]!.GetValue<string>());
        Assert.Equal(10, updated["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task Update_WithoutSchedule_KeepsTheSchedule()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"0 * * * *","is_recurring":true}""");

        var updated = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", """{"name":"renamed"}""")).ReadJsonAsync();

        Assert.Equal("0 * * * *", updated["schedule"]!.GetValue<string>());
        Assert.True(updated["is_recurring"]!.GetValue<bool>());
        Assert.Equal(created["next_run"]!.GetValue<string>(), updated["next_run"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_EmptySchedule_ClearsTheSchedule()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"0 * * * *","is_recurring":true}""");

        var updated = (await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", """{"schedule":""}""")).ReadJsonAsync()).AsObject();

        Assert.False(updated.ContainsKey("schedule"));
        Assert.False(updated.ContainsKey("is_recurring"));
        Assert.Equal("0001-01-01T00:00:00Z", updated["next_run"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_NewSchedule_ReplacesScheduleAndDefaultsTimezone()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"plain"}""");

        var updated = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", """{"schedule":"*/10 * * * *","is_recurring":true}""")).ReadJsonAsync();

        Assert.Equal("*/10 * * * *", updated["schedule"]!.GetValue<string>());
        Assert.Equal("UTC", updated["timezone"]!.GetValue<string>());
        Assert.NotEqual("0001-01-01T00:00:00Z", updated["next_run"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_SameScheduleWithoutIsRecurring_KeepsTheScheduleFields()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"0 * * * *","is_recurring":true,"timezone":"Europe/Paris"}""");

        var updated = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", """{"name":"renamed","schedule":"0 * * * *"}""")).ReadJsonAsync();

        Assert.Equal("renamed", updated["name"]!.GetValue<string>());
        Assert.True(updated["is_recurring"]?.GetValue<bool>(), "a repeated schedule must not make the task a one-shot");
        Assert.Equal("Europe/Paris", updated["timezone"]!.GetValue<string>());
        Assert.Equal(created["next_run"]!.GetValue<string>(), updated["next_run"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"schedule":"every day"}""", "invalid cron expression")]
    [InlineData("""{"priority":101}""", "priority")]
    [InlineData("""{"name":5}""", "invalid JSON body")]
    [InlineData("""not json""", "invalid JSON body")]
    public async Task Update_InvalidBody_Returns400(string body, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var error = await (await host.Http.PutJsonAsync($"tasks/{created["id"]}", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_UnknownTask_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.PutJsonAsync($"tasks/{Guid.NewGuid()}", """{"name":"x"}""")).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Upload_WasmFile_ReplacesTheBinary()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var task = await (await host.Http.PutAsync($"tasks/{created["id"]}/upload", Multipart("add.wasm", Wasm))).ReadJsonAsync();

        Assert.Equal(Convert.ToBase64String(Wasm), task["file"]!.GetValue<string>());
        Assert.Equal(Wasm, (await host.GetTaskAsync(created["id"]!.GetValue<string>()))!.File);
    }

    [Theory]
    [InlineData("add.wat", true, "extension")]
    [InlineData("add.wasm", false, "not a WebAssembly binary")]
    public async Task Upload_BadFile_Returns400(string fileName, bool validContent, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var response = await host.Http.PutAsync($"tasks/{created["id"]}/upload", Multipart(fileName, validContent ? Wasm : "(module)"u8.ToArray()));

        Assert.Contains(expected, await response.ReadErrorAsync(HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_MissingFileField_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        using var form = new MultipartFormDataContent { { new StringContent("x"), "other" } };

        var error = await (await host.Http.PutAsync($"tasks/{created["id"]}/upload", form)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("'file'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        using var body = new ByteArrayContent(Wasm);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");

        await (await host.Http.PutAsync($"tasks/{created["id"]}/upload", body)).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Upload_MalformedMultipart_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        using var body = new StringContent("--abc\r\nno headers here");
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=abc");

        await (await host.Http.PutAsync($"tasks/{created["id"]}/upload", body)).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Upload_UnknownTask_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.PutAsync($"tasks/{Guid.NewGuid()}/upload", Multipart("a.wasm", Wasm))).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    private static MultipartFormDataContent Multipart(string fileName, byte[] content)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        return new MultipartFormDataContent { { file, "file", fileName } };
    }
}
