using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class BoardsTests
{
    [Fact]
    public async Task Create_ValidName_Returns201WithVersionETag()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/boards", new { name = "Plans" });

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var board = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Plans", board.GetProperty("name").GetString());
        Assert.Equal(1, board.GetProperty("version").GetInt64());
        Assert.Empty(board.GetProperty("windows").EnumerateArray());
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Create_BlankName_Returns400()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/boards", new { name = "  " });

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
    }

    [Fact]
    public async Task List_OwnBoards_ReturnsThem()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin, "Mine");

        var boards = await admin.GetJsonAsync("/api/boards");

        var summary = Assert.Single(boards.EnumerateArray());
        Assert.Equal(board.Id(), summary.Id());
        Assert.Equal("Mine", summary.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Get_OwnBoard_ReturnsBoardWithETag()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await admin.GetAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var viewport = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("viewport");
        Assert.Equal(1, viewport.GetProperty("zoom").GetDouble());
    }

    [Fact]
    public async Task List_OtherUsersBoards_AreNotIncluded()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var member = await app.CreateMemberAsync("alice", admin);
        await LabyrinthApp.CreateBoardAsync(admin);

        var boards = await member.GetJsonAsync("/api/boards");

        Assert.Empty(boards.EnumerateArray());
    }

    [Fact]
    public async Task Get_OtherUsersBoard_Returns404()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var member = await app.CreateMemberAsync("alice", admin);
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await member.GetAsync($"/api/boards/{board.Id()}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
    }

    [Fact]
    public async Task Rename_OtherUsersBoard_Returns404AndKeepsName()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var member = await app.CreateMemberAsync("alice", admin);
        var board = await LabyrinthApp.CreateBoardAsync(admin, "Secret");

        using var response = await member.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Pwned" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        Assert.Equal("Secret", (await admin.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_OtherUsersBoard_Returns404AndKeepsBoard()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var member = await app.CreateMemberAsync("alice", admin);
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await member.DeleteAsync($"/api/boards/{board.Id()}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        await admin.GetJsonAsync($"/api/boards/{board.Id()}");
    }

    [Fact]
    public async Task Rename_CurrentIfMatch_RenamesAndBumpsVersion()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await admin.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Renamed" }, board.ETag());

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var renamed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Renamed", renamed.GetProperty("name").GetString());
        Assert.Equal(2, renamed.GetProperty("version").GetInt64());
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Rename_StaleIfMatch_Returns412()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);
        using (var first = await admin.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "First" }, board.ETag()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, first);
        }

        using var response = await admin.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Second" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.PreconditionFailed, "board.version_conflict", response);
        Assert.Equal("First", (await admin.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Rename_MissingIfMatch_Returns428()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await admin.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Renamed" });

        await Expect.ProblemAsync(HttpStatusCode.PreconditionRequired, "board.precondition_required", response);
    }

    [Fact]
    public async Task Delete_OwnBoard_RemovesIt()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);

        using var response = await admin.DeleteAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        using var get = await admin.GetAsync($"/api/boards/{board.Id()}");
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", get);
    }

    [Fact]
    public async Task List_Anonymous_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/boards");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }
}
