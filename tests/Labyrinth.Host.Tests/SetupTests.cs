using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class SetupTests
{
    [Fact]
    public async Task Status_FreshApp_NeedsSetup()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        var status = await client.GetJsonAsync("/api/setup/status");

        Assert.True(status.GetProperty("needsSetup").GetBoolean());
    }

    [Fact]
    public async Task Setup_ValidToken_CreatesAdminAndSignsIn()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.PostAsJsonAsync("/api/setup", new { token = app.SetupToken(), userName = "root", password = LabyrinthApp.Password });

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var me = await client.GetJsonAsync("/api/auth/me");
        Assert.Equal("root", me.GetProperty("userName").GetString());
        Assert.Equal("admin", me.GetProperty("role").GetString());
        Assert.False((await client.GetJsonAsync("/api/setup/status")).GetProperty("needsSetup").GetBoolean());
    }

    [Fact]
    public async Task Setup_TokenUsedTwice_IsRefused()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var token = app.SetupToken();
        var first = await app.CreateClientAsync();
        using (var ok = await first.PostAsJsonAsync("/api/setup", new { token, userName = "root", password = LabyrinthApp.Password }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, ok);
        }

        var second = await app.CreateClientAsync();
        using var response = await second.PostAsJsonAsync("/api/setup", new { token, userName = "intruder", password = LabyrinthApp.Password });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "setup.already_done", response);
        using var me = await second.GetAsync("/api/auth/me");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, me);
    }

    [Fact]
    public async Task Setup_WrongToken_IsRefused()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = app.SetupToken();
        var client = await app.CreateClientAsync();

        using var response = await client.PostAsJsonAsync("/api/setup", new { token = "not-the-token", userName = "root", password = LabyrinthApp.Password });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "setup.invalid_token", response);
        Assert.True((await client.GetJsonAsync("/api/setup/status")).GetProperty("needsSetup").GetBoolean());
    }

    [Fact]
    public async Task Setup_WeakPassword_ReturnsPasswordError()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.PostAsJsonAsync("/api/setup", new { token = app.SetupToken(), userName = "root", password = "short" });

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Setup_WeakPassword_DoesNotConsumeToken()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var token = app.SetupToken();
        var client = await app.CreateClientAsync();
        using (await client.PostAsJsonAsync("/api/setup", new { token, userName = "root", password = "short" }))
        {
        }

        using var response = await client.PostAsJsonAsync("/api/setup", new { token, userName = "root", password = LabyrinthApp.Password });

        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    [Fact]
    public async Task Logs_AfterSetupAndLogin_NeverContainPassword()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("alice", admin);

        Assert.DoesNotContain(LabyrinthApp.Password, app.Logs.AllText, StringComparison.Ordinal);
    }
}
