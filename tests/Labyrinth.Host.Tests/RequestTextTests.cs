using System.Net;
using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Infrastructure;

namespace Labyrinth.Host.Tests;

/// <summary>
/// What a request that cannot be read gets back: problem details with a code and a sentence for
/// every way of getting the shape wrong, and U+0000 refused wherever text enters (PostgreSQL
/// cannot store it or even look it up: those requests answered 500 there, and SQLite stored it).
/// </summary>
public sealed class RequestTextTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/api/boards", """{"name":"Plans\u0000"}""", "/name")]
    [InlineData("/api/tokens", """{"name":"ci\u0000"}""", "/name")]
    [InlineData("/api/admin/plugins/dev.labyrinth.hello/kill", """{"reason":"bad\u0000"}""", "/reason")]
    [InlineData("/api/auth/login", """{"userName":"admin\u0000","password":"correct horse battery"}""", "/userName")]
    public async Task Post_TextWithNul_Is400RequestInvalidNamingTheField(string url, string body, string pointer)
    {
        using var response = await shared.Admin.PostAsync(url, Json(body));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        Assert.Contains("U+0000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(pointer, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BoardCreate_NameWithNul_LeavesNoBoard()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/boards", Json("""{"name":"a\u0000b"}"""));

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Empty((await user.GetJsonAsync("/api/boards")).EnumerateArray());
    }

    [Fact]
    public async Task BoardRename_NameWithNul_KeepsTheName()
    {
        var user = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(user, "Kept");

        using var response = await user.SendJsonAsync(HttpMethod.Patch, $"/api/boards/{board.Id()}", new { name = "x\0y" }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        Assert.Equal("Kept", (await user.GetJsonAsync($"/api/boards/{board.Id()}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Query_WithNul_Is400RequestInvalid()
    {
        using var response = await shared.Admin.GetAsync("/api/admin/audit?actor=admin%00");

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        Assert.Contains("query string", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_MalformedJson_Is400RequestInvalidWithSentence()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/boards", Json("""{"name":"""));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        Assert.Contains("docs/api.md", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_ValueOfAnotherType_Is400NamingItsPointer()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/boards", Json("""{"name":5}"""));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("/name", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_Missing_Is400RequestInvalid()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/boards", Json(""));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
    }

    [Fact]
    public async Task Query_ValueOfAnotherType_Is400RequestInvalid()
    {
        using var response = await shared.Admin.GetAsync("/api/admin/plugins/dev.labyrinth.hello/logs?limit=many");

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, response);
        Assert.Contains("query string", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BodyOverServerLimit_IsRequestTooLarge()
    {
        var (status, code, _) = BadRequestHandler.Describe(new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413));

        Assert.Equal((413, ErrorCodes.RequestTooLarge), (status, code));
    }

    [Theory]
    [InlineData("$.name", "/name")]
    [InlineData("$.values.display.format", "/values/display/format")]
    [InlineData("$.tags[2]", "/tags/2")]
    [InlineData("$['a/b'].c", "/a~1b/c")]
    [InlineData("$", null)]
    public void Pointer_OfJsonPath_IsTheJsonPointer(string path, string? pointer)
    {
        Assert.Equal(pointer, RequestJson.Pointer(path));
    }
}
