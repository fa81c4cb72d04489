using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class SpawnTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Theory]
    [InlineData("form")]
    [InlineData("chat")]
    [InlineData("metadata")]
    public async Task Spawn_BuiltInKind_AddsWindow(string kind)
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        var (after, window) = await Boards.SpawnAsync(owner, board, new { kind });

        Assert.Equal(kind, window.GetProperty("kind").GetString());
        Assert.Matches("^w_[0-9a-f]{16}$", window.Id());
        Assert.Equal(JsonValueKind.Null, window.GetProperty("plugin").ValueKind);
        Assert.Equal(2, after.GetProperty("version").GetInt64());
        Assert.Equal(window.Id(), Assert.Single(after.GetProperty("windows").EnumerateArray()).Id());
    }

    [Fact]
    public async Task Spawn_HelloWithValidProps_AddsPluginWindowAtActiveVersion()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        var (_, window) = await Boards.SpawnAsync(owner, board, Boards.Hello);

        var plugin = window.GetProperty("plugin");
        Assert.Equal("plugin", window.GetProperty("kind").GetString());
        Assert.Equal("dev.labyrinth.hello", plugin.GetProperty("pluginId").GetString());
        Assert.Equal("1.0.0", plugin.GetProperty("version").GetString());
        Assert.Equal("hello", plugin.GetProperty("typeID").GetString());
        Assert.Equal("Ada", plugin.GetProperty("props").GetProperty("name").GetString());
        Assert.Equal(320, window.GetProperty("width").GetDouble());
    }

    [Fact]
    public async Task Spawn_UnknownKind_Returns400UnknownKind()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", new { kind = "iframe" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.unknown_kind", response);
    }

    [Fact]
    public async Task Spawn_UnknownPlugin_Returns400PluginNotFound()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var request = new { kind = "plugin", plugin = new { pluginId = "com.example.missing", typeID = "hello" } };

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", request, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.plugin_not_found", response);
    }

    [Fact]
    public async Task Spawn_UnknownPluginVersion_Returns400PluginNotFound()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var request = new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", version = "9.9.9", typeID = "hello" } };

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", request, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.plugin_not_found", response);
    }

    [Fact]
    public async Task Spawn_UnknownTypeId_Returns400CardNotFound()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var request = new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "note" } };

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", request, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.card_not_found", response);
    }

    [Theory]
    [InlineData("""{"name":42}""")]
    [InlineData("""{"unknown":"x"}""")]
    [InlineData("[]")]
    public async Task Spawn_InvalidProps_Returns400WithErrors(string props)
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var request = new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "hello", props = JsonDocument.Parse(props).RootElement } };

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", request, board.ETag());

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.invalid_props", response);
        Assert.NotEmpty(problem.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task Spawn_BelowMinimumSize_Returns400()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", new { kind = "form", width = 10, height = 10 }, board.ETag());

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("geometry", out _));
    }

    [Fact]
    public async Task Spawn_MissingIfMatch_Returns428()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", new { kind = "form" });

        await Expect.ProblemAsync(HttpStatusCode.PreconditionRequired, "board.precondition_required", response);
    }

    [Fact]
    public async Task Spawn_OtherUsersBoard_Returns404()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await member.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", new { kind = "form" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
    }
}
