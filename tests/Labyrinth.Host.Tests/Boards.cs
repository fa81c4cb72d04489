using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Labyrinth.Host.Tests;

/// <summary>Arrange helpers for tests that need windows on a board.</summary>
internal static class Boards
{
    public static readonly object Hello = new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "hello", props = new { name = "Ada" } } };

    /// <summary>Spawns a window and returns the board after the spawn and the new window.</summary>
    public static async Task<(JsonElement Board, JsonElement Window)> SpawnAsync(HttpClient client, JsonElement board, object request)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", request, board.ETag());
        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (result.GetProperty("board"), result.GetProperty("window"));
    }

    /// <summary>The layout body for <paramref name="board"/>, as a node the test can edit.</summary>
    public static JsonObject Layout(JsonElement board) => new()
    {
        ["viewport"] = JsonNode.Parse(board.GetProperty("viewport").GetRawText()),
        ["windows"] = JsonNode.Parse(board.GetProperty("windows").GetRawText()),
    };

    public static Task<HttpResponseMessage> PutLayoutAsync(HttpClient client, JsonElement board, JsonObject layout) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/boards/{board.Id()}/layout")
        {
            Content = new StringContent(layout.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "If-Match", board.ETag() } },
        });

    public static Task<HttpResponseMessage> PutRawLayoutAsync(HttpClient client, JsonElement board, string json) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/boards/{board.Id()}/layout")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "If-Match", board.ETag() } },
        });
}
