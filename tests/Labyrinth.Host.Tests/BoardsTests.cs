using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class BoardsTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Fact]
    public async Task Create_ValidName_Returns201WithVersionETag()
    {
        var owner = await shared.UserAsync();

        using var response = await owner.PostAsJsonAsync("/api/boards", new { name = "Plans" });

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
        var owner = await shared.UserAsync();

        using var response = await owner.PostAsJsonAsync("/api/boards", new { name = "  " });

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
    }

    [Fact]
    public async Task List_OwnBoards_ReturnsThem()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner, "Mine");

        var boards = await owner.GetJsonAsync("/api/boards");

        var summary = Assert.Single(boards.EnumerateArray());
        Assert.Equal(board.Id(), summary.Id());
        Assert.Equal("Mine", summary.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Get_OwnBoard_ReturnsBoardWithETag()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.GetAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var viewport = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("viewport");
        Assert.Equal(1, viewport.GetProperty("zoom").GetDouble());
    }

    [Fact]
    public async Task List_OtherUsersBoards_AreNotIncluded()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        await LabyrinthApp.CreateBoardAsync(owner);

        var boards = await member.GetJsonAsync("/api/boards");

        Assert.Empty(boards.EnumerateArray());
    }

    [Fact]
    public async Task Get_OtherUsersBoard_Returns404()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await member.GetAsync($"/api/boards/{board.Id()}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
    }

    [Fact]
    public async Task Rename_OtherUsersBoard_Returns404AndKeepsName()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner, "Secret");

        using var response = await member.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Pwned" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        Assert.Equal("Secret", (await owner.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_OtherUsersBoard_Returns404AndKeepsBoard()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await member.DeleteAsync($"/api/boards/{board.Id()}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        await owner.GetJsonAsync($"/api/boards/{board.Id()}");
    }

    [Fact]
    public async Task Rename_CurrentIfMatch_RenamesAndBumpsVersion()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Renamed" }, board.ETag());

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var renamed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Renamed", renamed.GetProperty("name").GetString());
        Assert.Equal(2, renamed.GetProperty("version").GetInt64());
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Rename_StaleIfMatch_Returns412()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        using (var first = await owner.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "First" }, board.ETag()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, first);
        }

        using var response = await owner.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Second" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.PreconditionFailed, "board.version_conflict", response);
        Assert.Equal("First", (await owner.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Rename_MissingIfMatch_Returns428()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "Renamed" });

        await Expect.ProblemAsync(HttpStatusCode.PreconditionRequired, "board.precondition_required", response);
    }

    [Fact]
    public async Task Delete_OwnBoard_RemovesIt()
    {
        var owner = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);

        using var response = await owner.DeleteAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        using var get = await owner.GetAsync($"/api/boards/{board.Id()}");
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", get);
    }

    [Fact]
    public async Task List_Anonymous_Returns401()
    {
        var client = await shared.App.CreateClientAsync();

        using var response = await client.GetAsync("/api/boards");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }
}
