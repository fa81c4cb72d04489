using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

public sealed class LayoutTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Fact]
    public async Task SaveLayout_ValidMove_StoresGeometryAndBumpsVersion()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["x"] = 420;
        layout["windows"]![0]!["title"] = "Moved";

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var saved = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(board.GetProperty("version").GetInt64() + 1, saved.GetProperty("version").GetInt64());
        var window = Assert.Single(saved.GetProperty("windows").EnumerateArray());
        Assert.Equal(420, window.GetProperty("x").GetDouble());
        Assert.Equal("Moved", window.GetProperty("title").GetString());
    }

    [Fact]
    public async Task SaveLayout_UnknownWindowId_Returns400()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["id"] = "w_0000000000000000";

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("windows[0].id", out _));
    }

    [Fact]
    public async Task SaveLayout_KindChanged_Returns400()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["kind"] = "chat";

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("windows[0].kind", out _));
    }

    [Theory]
    [InlineData("pluginId", "dev.labyrinth.notes")]
    [InlineData("version", "2.0.0")]
    [InlineData("typeID", "other")]
    public async Task SaveLayout_PluginIdentityChanged_Returns400(string field, string value)
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["plugin"]![field] = value;

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("windows[0].plugin", out _));
    }

    [Fact]
    public async Task SaveLayout_PluginAddedToBuiltInWindow_Returns400()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "chat" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["plugin"] = JsonNode.Parse("""{"pluginId":"dev.labyrinth.hello","version":"1.0.0","typeID":"hello","props":{}}""");

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
    }

    [Fact]
    public async Task SaveLayout_InvalidPluginProps_Returns400()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["plugin"]!["props"] = JsonNode.Parse("""{"name":42}""");

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("windows[0].plugin.props", out _));
    }

    [Theory]
    [InlineData("width", 159)]
    [InlineData("height", 99)]
    [InlineData("width", 1e308)]
    [InlineData("x", 1e308)]
    [InlineData("y", -1e300)]
    public async Task SaveLayout_GeometryOutOfRange_Returns400(string field, double value)
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]![field] = value;

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("windows[0].geometry", out _));
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("1e400")]
    public async Task SaveLayout_NonFiniteNumber_Returns400(string literal)
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["width"] = 12345.5;
        var json = layout.ToJsonString().Replace("12345.5", literal, StringComparison.Ordinal);

        using var response = await Boards.PutRawLayoutAsync(owner, board, json);

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Equal(board.GetProperty("version").GetInt64(), (await owner.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(100.0)]
    public async Task SaveLayout_ZoomOutOfRange_Returns400(double zoom)
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var layout = Boards.Layout(board);
        layout["viewport"]!["zoom"] = zoom;

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "board.invalid_layout", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("viewport", out _));
    }

    [Fact]
    public async Task SaveLayout_StaleIfMatch_Returns412()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        _ = await Boards.SpawnAsync(owner, board, new { kind = "form" });

        using var response = await Boards.PutLayoutAsync(owner, board, Boards.Layout(board));

        await Expect.ProblemAsync(HttpStatusCode.PreconditionFailed, "board.version_conflict", response);
    }

    [Fact]
    public async Task SaveLayout_WindowRemoved_DeletesItsPayload()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        using (var put = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = new { count = 3 } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, put);
        }

        var layout = Boards.Layout(board);
        layout["windows"] = new JsonArray();

        using var response = await Boards.PutLayoutAsync(owner, board, layout);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        await using var scope = shared.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        Assert.False(await db.CardPayloads.AnyAsync(p => p.WindowId == window.Id()));
    }
}
