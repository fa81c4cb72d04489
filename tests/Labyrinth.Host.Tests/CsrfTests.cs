using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests;

public sealed class CsrfTests
{
    [Fact]
    public async Task Post_WithoutRequestHeader_Returns403MissingHeader()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.SetupAdminAsync();
        var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.missing_header", response);
    }

    [Fact]
    public async Task Post_FormWithoutRequestHeader_Returns403MissingHeaderAndCreatesNothing()
    {
        // What a forged cross-site <form> sends: the cookie, a form body, no custom header.
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards") { Content = new FormUrlEncodedContent([new("name", "Evil")]) };
        request.Headers.Remove("X-Labyrinth-Request");
        admin.DefaultRequestHeaders.Remove("X-Labyrinth-Request");

        using var response = await admin.SendAsync(request);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.missing_header", response);
        admin.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        Assert.Empty((await admin.GetJsonAsync("/api/boards")).EnumerateArray());
    }

    [Fact]
    public async Task Post_CrossSiteFetch_IsRefused()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/boards") { Content = JsonContent.Create(new { name = "Evil" }) };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await admin.SendAsync(request);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.cross_site", response);
        Assert.Empty((await admin.GetJsonAsync("/api/boards")).EnumerateArray());
    }

    [Fact]
    public async Task Delete_SignedInWithoutRequestHeader_LeavesBoard()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/boards/{board.Id()}");
        request.Headers.Remove("X-Labyrinth-Request");
        admin.DefaultRequestHeaders.Remove("X-Labyrinth-Request");

        using var response = await admin.SendAsync(request);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.missing_header", response);
        await admin.GetJsonAsync($"/api/boards/{board.Id()}");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Put_BodyNotJson_Returns415UnsupportedMediaType(string contentType)
    {
        // docs/api.md: an unsafe API request with a body must also be Content-Type: application/json,
        // the one type a cross-site form or simple fetch cannot send without a preflight; refused
        // before the handler reads it (this one reads its body itself), with what it is: a type.
        await using var app = new LabyrinthApp();
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);
        using var spawn = await admin.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", Boards.Hello, board.ETag());
        await Expect.StatusAsync(HttpStatusCode.Created, spawn);
        var window = (await spawn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("window");
        var content = new StringContent("{\"payload\":1}");
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await admin.PutAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", content);

        await Expect.ProblemAsync(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type", response);
        using var payload = await admin.GetAsync($"/api/cards/{board.Id()}/{window.Id()}/payload");
        Assert.DoesNotContain("\"payload\":1", await payload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
