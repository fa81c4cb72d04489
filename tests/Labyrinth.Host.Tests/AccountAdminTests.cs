using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

/// <summary>
/// /api/admin/users beyond create/list: role, disable, password reset, delete — each audited, none
/// able to leave the host without an enabled admin, and each taking effect on live sessions and
/// tokens at their next request.
/// </summary>
public sealed class AccountAdminTests
{
    [Fact]
    public async Task PatchUser_PromoteMember_SessionGetsAdminAtOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var alice = await app.CreateMemberAsync("alice", admin);
        using (var before = await alice.GetAsync("/api/admin/users"))
        {
            await Expect.StatusAsync(HttpStatusCode.Forbidden, before);
        }

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, "alice")}", new { role = "admin" });

        await Expect.StatusAsync(HttpStatusCode.OK, patch);
        Assert.Equal("admin", (await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        using var after = await alice.GetAsync("/api/admin/users"); // same cookie, no new sign-in
        await Expect.StatusAsync(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task PatchUser_DemoteLastAdmin_Returns409LastAdmin()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, LabyrinthApp.AdminName)}", new { role = "member" });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "user.last_admin", patch);
        Assert.Equal("admin", (await admin.GetJsonAsync("/api/auth/me")).GetProperty("role").GetString());
    }

    [Fact]
    public async Task PatchUser_DisableLastAdmin_Returns409LastAdmin()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, LabyrinthApp.AdminName)}", new { disabled = true });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "user.last_admin", patch);
    }

    [Fact]
    public async Task PatchUser_DisableOnlyEnabledAdminWhileAnotherIsDisabled_Returns409LastAdmin()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("bob", admin);
        var bob = await IdOfAsync(admin, "bob");
        (await admin.PatchAsJsonAsync($"/api/admin/users/{bob}", new { role = "admin", disabled = true })).Dispose();

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, LabyrinthApp.AdminName)}", new { role = "member" });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "user.last_admin", patch);
    }

    [Fact]
    public async Task DeleteUser_LastAdmin_Returns409LastAdmin()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var delete = await admin.DeleteAsync($"/api/admin/users/{await IdOfAsync(admin, LabyrinthApp.AdminName)}");

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "user.last_admin", delete);
    }

    [Fact]
    public async Task PatchUser_UnknownRole_Returns400()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("alice", admin);

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, "alice")}", new { role = "root" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", patch);
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));
    }

    [Fact]
    public async Task PatchUser_UnknownId_Returns404()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{Guid.NewGuid()}", new { disabled = true });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "user.not_found", patch);
    }

    [Fact]
    public async Task PatchUser_Disable_EndsSessionAndTokenAtOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var alice = await app.CreateMemberAsync("alice", admin);
        var token = await CreateTokenAsync(app, alice);
        using (var ok = await token.GetAsync("/api/boards"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, ok);
        }

        using (var patch = await admin.PatchAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, "alice")}", new { disabled = true }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, patch);
            Assert.True((await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disabled").GetBoolean());
        }

        using var cookie = await alice.GetAsync("/api/boards");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, cookie);
        using var bearer = await token.GetAsync("/api/boards");
        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_token", bearer);
        using var login = await (await app.CreateClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = "alice", password = LabyrinthApp.Password });
        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "auth.account_disabled", login);
    }

    [Fact]
    public async Task PatchUser_EnableAgain_CanSignIn()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("alice", admin);
        var id = await IdOfAsync(admin, "alice");
        (await admin.PatchAsJsonAsync($"/api/admin/users/{id}", new { disabled = true })).Dispose();

        using var enable = await admin.PatchAsJsonAsync($"/api/admin/users/{id}", new { disabled = false });

        await Expect.StatusAsync(HttpStatusCode.OK, enable);
        using var login = await (await app.CreateClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = "alice", password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
    }

    [Fact]
    public async Task DeleteUser_EndsSessionAndTokenAndRemovesTheirData()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var alice = await app.CreateMemberAsync("alice", admin);
        var board = await LabyrinthApp.CreateBoardAsync(alice, "Alice's plans");
        var token = await CreateTokenAsync(app, alice);
        var id = await IdOfAsync(admin, "alice");
        Assert.Equal(1, (await admin.GetJsonAsync("/api/admin/users")).EnumerateArray().Single(u => u.Id() == id.ToString()).GetProperty("boards").GetInt32());

        using (var delete = await admin.DeleteAsync($"/api/admin/users/{id}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        }

        using var cookie = await alice.GetAsync($"/api/boards/{board.Id()}");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, cookie);
        using var bearer = await token.GetAsync("/api/boards");
        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_token", bearer);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        Assert.False(db.Boards.Any(b => b.OwnerId == id));
        Assert.False(db.PersonalAccessTokens.Any(t => t.UserId == id));
        Assert.DoesNotContain("alice", (await admin.GetJsonAsync("/api/admin/users")).EnumerateArray().Select(u => u.GetProperty("userName").GetString()));
    }

    [Fact]
    public async Task ResetPassword_EndsTheirSessions_NewPasswordSignsIn()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var alice = await app.CreateMemberAsync("alice", admin);
        const string fresh = "a-brand-new-password";

        using (var reset = await admin.PostAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, "alice")}/password", new { password = fresh }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, reset);
        }

        using var old = await alice.GetAsync("/api/boards");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, old);
        var client = await app.CreateClientAsync();
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = "alice", password = fresh });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
    }

    [Fact]
    public async Task ResetPassword_TooShort_Returns400WithRule()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("alice", admin);

        using var reset = await admin.PostAsJsonAsync($"/api/admin/users/{await IdOfAsync(admin, "alice")}/password", new { password = "short" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", reset);
        Assert.Contains("10", problem.GetProperty("errors").GetProperty("password")[0].GetString());
    }

    [Fact]
    public async Task AccountChanges_AreAuditedWithoutPasswords()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        await app.CreateMemberAsync("alice", admin);
        var id = await IdOfAsync(admin, "alice");
        (await admin.PatchAsJsonAsync($"/api/admin/users/{id}", new { role = "admin" })).Dispose();
        (await admin.PatchAsJsonAsync($"/api/admin/users/{id}", new { disabled = true })).Dispose();
        (await admin.PostAsJsonAsync($"/api/admin/users/{id}/password", new { password = "another-password-1" })).Dispose();
        (await admin.DeleteAsync($"/api/admin/users/{id}")).Dispose();

        var items = (await admin.GetJsonAsync("/api/admin/audit?pageSize=50")).GetProperty("items").EnumerateArray().ToList();
        var actions = items.Select(e => e.GetProperty("action").GetString()).ToList();

        Assert.Contains("user.create", actions);
        Assert.Contains("user.role_change", actions);
        Assert.Contains("user.disable", actions);
        Assert.Contains("user.password_reset", actions);
        Assert.Contains("user.delete", actions);
        Assert.All(items, e => Assert.DoesNotContain("another-password-1", e.GetProperty("detail").GetRawText(), StringComparison.Ordinal));
        Assert.All(items.Where(e => e.GetProperty("action").GetString()!.StartsWith("user.", StringComparison.Ordinal) && e.GetProperty("action").GetString() != "user.create"),
            e => Assert.Equal(LabyrinthApp.AdminName, e.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task AuditActions_ListEveryFeaturesActions()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        var actions = (await admin.GetJsonAsync("/api/admin/audit/actions")).EnumerateArray().Select(a => a.GetString()).ToList();

        foreach (var expected in new[] { "plugin.install", "card.grant", "asset.upload", "secret.use", "service.create", "theme.default", "user.delete", "token.create" })
        {
            Assert.Contains(expected, actions);
        }

        Assert.DoesNotContain("system", actions);
        Assert.Equal(actions.Order(StringComparer.Ordinal), actions);
    }

    [Fact]
    public void AuditActionClasses_AreAllInTheCatalogue()
    {
        // A feature's "*AuditActions" class without the attribute would be missing from the filter.
        var unmarked = typeof(Program).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("AuditActions", StringComparison.Ordinal))
            .Where(t => !t.IsDefined(typeof(Labyrinth.Host.Features.Audit.AuditActionCatalogueAttribute), inherit: false))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(unmarked);
        Assert.Contains("backup.download", Labyrinth.Host.Features.Audit.AuditActions.All);
    }

    private static async Task<Guid> IdOfAsync(HttpClient admin, string userName) =>
        Guid.Parse((await admin.GetJsonAsync("/api/admin/users")).EnumerateArray().Single(u => u.GetProperty("userName").GetString() == userName).Id());

    /// <summary>Mints a personal access token with the user's cookie and returns a client that sends only it.</summary>
    private static async Task<HttpClient> CreateTokenAsync(LabyrinthApp app, HttpClient user)
    {
        using var created = await user.PostAsJsonAsync("/api/tokens", new { name = "cli" });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var client = app.CreateClient(new() { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
