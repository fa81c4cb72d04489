using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

/// <summary>What a person does for their own account: the quiet session check, password change, personal access tokens.</summary>
public sealed class ProfileTests
{
    [Fact]
    public async Task Session_Anonymous_Returns200NotAuthenticated()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = app.SetupToken();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/auth/session");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(session.GetProperty("authenticated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("user").ValueKind);
        Assert.True(session.GetProperty("needsSetup").GetBoolean());
        Assert.Equal(10, session.GetProperty("passwordRule").GetProperty("minLength").GetInt32());
    }

    [Fact]
    public async Task Session_SignedIn_ReturnsUser()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        var session = await admin.GetJsonAsync("/api/auth/session");

        Assert.True(session.GetProperty("authenticated").GetBoolean());
        Assert.Equal(LabyrinthApp.AdminName, session.GetProperty("user").GetProperty("userName").GetString());
        Assert.False(session.GetProperty("needsSetup").GetBoolean());
    }

    [Fact]
    public async Task ChangePassword_WrongCurrent_Returns400WrongPassword()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/auth/password", new { currentPassword = "not-my-password", newPassword = "a-new-password-1" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "auth.wrong_password", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("currentPassword", out _));
    }

    [Fact]
    public async Task ChangePassword_TooShort_Returns400WithRule()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/auth/password", new { currentPassword = LabyrinthApp.Password, newPassword = "short" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("newPassword", out _));
    }

    [Fact]
    public async Task ChangePassword_Valid_KeepsThisSessionEndsOthers()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var otherDevice = await app.CreateClientAsync();
        (await otherDevice.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password })).Dispose();
        await otherDevice.GetJsonAsync("/api/auth/me");

        using (var change = await admin.PostAsJsonAsync("/api/auth/password", new { currentPassword = LabyrinthApp.Password, newPassword = "a-new-password-1" }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, change);
        }

        await admin.GetJsonAsync("/api/auth/me");
        using var other = await otherDevice.GetAsync("/api/auth/me");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, other);
        using var oldPassword = await (await app.CreateClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, oldPassword);
    }

    [Fact]
    public async Task ChangePassword_WithBearerToken_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var (bearer, _) = await MintAsync(app, admin, new { name = "cli" });

        using var response = await bearer.PostAsJsonAsync("/api/auth/password", new { currentPassword = LabyrinthApp.Password, newPassword = "a-new-password-1" });

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task CreateToken_WithExpiry_ShownOnceAndListedWithExpiry()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        var (_, created) = await MintAsync(app, admin, new { name = "laptop", expiresInDays = 30 });

        var expires = created.GetProperty("expiresAt").GetDateTime();
        var createdAt = created.GetProperty("createdAt").GetDateTime();
        Assert.Equal(TimeSpan.FromDays(30), expires - createdAt);
        var listed = (await admin.GetJsonAsync("/api/tokens")).EnumerateArray().Single();
        Assert.Equal(expires, listed.GetProperty("expiresAt").GetDateTime());
        Assert.False(listed.TryGetProperty("token", out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(367)]
    public async Task CreateToken_ExpiryOutOfRange_Returns400(int days)
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/tokens", new { name = "x", expiresInDays = days });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresInDays", out _));
    }

    [Fact]
    public async Task Token_PastExpiry_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var (bearer, created) = await MintAsync(app, admin, new { name = "short-lived", expiresInDays = 1 });
        using (var ok = await bearer.GetAsync("/api/boards"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, ok);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var id = Guid.Parse(created.Id());
            await scope.ServiceProvider.GetRequiredService<LabyrinthDb>().PersonalAccessTokens
                .Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        using var expired = await bearer.GetAsync("/api/boards");
        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_token", expired);
    }

    [Fact]
    public async Task Tokens_CreateAndRevoke_AreAudited()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var (_, created) = await MintAsync(app, admin, new { name = "ci" });

        (await admin.DeleteAsync($"/api/tokens/{created.Id()}")).Dispose();

        var items = (await admin.GetJsonAsync("/api/admin/audit?pageSize=50")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, e => e.GetProperty("action").GetString() == "token.create");
        Assert.Contains(items, e => e.GetProperty("action").GetString() == "token.revoke");
        Assert.All(items, e => Assert.DoesNotContain("lab_pat_", e.GetProperty("detail").GetRawText(), StringComparison.Ordinal));
    }

    private static async Task<(HttpClient Bearer, JsonElement Created)> MintAsync(LabyrinthApp app, HttpClient user, object body)
    {
        using var response = await user.PostAsJsonAsync("/api/tokens", body);
        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = app.CreateClient(new() { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("token").GetString());
        return (client, created);
    }
}
