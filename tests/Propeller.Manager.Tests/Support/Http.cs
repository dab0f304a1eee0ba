using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Propeller.Manager.Tests.Support;

/// <summary>Plain-HTTP helpers: the tests send raw JSON text, as any client of the original API would.</summary>
internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, Json(json));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json) =>
        client.PutAsync(path, Json(json));

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts a <c>{"error": "..."}</c> JSON body with the status; returns the message.</summary>
    public static async Task<string> ReadErrorAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var json = await response.ReadJsonAsync(expected);
        var error = json["error"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(error), $"No error text in {json.ToJsonString()}");
        return error!;
    }

    /// <summary>Creates a task from raw JSON and returns the response body.</summary>
    public static async Task<JsonObject> CreateTaskAsync(this HttpClient client, string json) =>
        (await (await client.PostJsonAsync("tasks", json)).ReadJsonAsync(HttpStatusCode.Created)).AsObject();
}
