using System.Net;
using System.Net.Http.Json;
using Labyrinth.Host.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

/// <summary>
/// The session cache on one host: an account changed by another writer of the database (the CLI,
/// an operator's SQL shell) ends its sessions at the next request, though the host never heard of
/// the change, and a cached session is only ever used while nothing changed.
/// </summary>
public sealed class SessionCacheTests
{
    [Fact]
    public async Task AccountDisabledOutsideTheHost_CachedSession_RefusedAtOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var alice = await app.CreateMemberAsync("alice");
        await WarmAsync(alice);

        app.RunSql("UPDATE Users SET DisabledAt = '2026-01-01 00:00:00' WHERE UserName = 'alice'");

        using var after = await alice.GetAsync("/api/auth/me");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, after);
    }

    [Fact]
    public async Task PasswordResetOutsideTheHost_CachedSession_RefusedAtOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var alice = await app.CreateMemberAsync("alice");
        await WarmAsync(alice);

        // What a reset writes: a new hash and a new session stamp.
        app.RunSql("UPDATE Users SET PasswordHash = 'reset-elsewhere', SessionStamp = 'new-stamp' WHERE UserName = 'alice'");

        using var after = await alice.GetAsync("/api/auth/me");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, after);
    }

    [Fact]
    public async Task AccountDeletedOutsideTheHost_CachedSession_RefusedAtOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var alice = await app.CreateMemberAsync("alice");
        await WarmAsync(alice);

        app.RunSql("DELETE FROM Users WHERE UserName = 'alice'");

        using var after = await alice.GetAsync("/api/auth/me");
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, after);
    }

    [Fact]
    public async Task SignOut_CachedSession_SameCookieReplayedIsRefused_OtherSessionsStay()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.CreateMemberAsync("alice");
        var cookie = await SignInAsync(app, "alice");
        var otherDevice = await SignInAsync(app, "alice");
        for (var i = 0; i < 2; i++)
        {
            using var warm = await SendAsync(app, HttpMethod.Get, "/api/auth/me", cookie);
            await Expect.StatusAsync(HttpStatusCode.OK, warm);
        }

        using (var signOut = await SendAsync(app, HttpMethod.Post, "/api/auth/logout", cookie))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, signOut);
        }

        using var replayed = await SendAsync(app, HttpMethod.Get, "/api/auth/me", cookie);
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, replayed);
        using var stillIn = await SendAsync(app, HttpMethod.Get, "/api/auth/me", otherDevice);
        await Expect.StatusAsync(HttpStatusCode.OK, stillIn);
    }

    [Fact]
    public async Task AccountEpoch_MigratedSchema_IsReadableAndMovesWithEveryAccountWrite()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var epochs = app.Services.GetRequiredService<DataEpochs>();
        var before = (await epochs.ReadAsync(CancellationToken.None))?.Accounts;
        Assert.NotNull(before); // null would mean the triggers are gone and every request reads the account

        using (var created = await admin.PostAsJsonAsync("/api/admin/users", new { userName = "bob", password = LabyrinthApp.Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var afterInsert = (await epochs.ReadAsync(CancellationToken.None))?.Accounts;
        app.RunSql("UPDATE Users SET Role = 'admin' WHERE UserName = 'bob'");
        var afterUpdate = (await epochs.ReadAsync(CancellationToken.None))?.Accounts;

        Assert.True(afterInsert > before, $"insert: {before} → {afterInsert}");
        Assert.True(afterUpdate > afterInsert, $"update: {afterInsert} → {afterUpdate}");
    }

    // A sign-in whose cookie the test sends itself, as a replaying client would: a cookie jar
    // would drop it at the first refusal or sign-out.
    private static async Task<string> SignInAsync(LabyrinthApp app, string userName)
    {
        using var client = app.CreateDefaultClient();
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
        return login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';', 2)[0]).Single(c => c.StartsWith("labyrinth.auth=", StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(LabyrinthApp app, HttpMethod method, string path, string cookie)
    {
        using var client = app.CreateDefaultClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-Labyrinth-Request", "1");
        return await client.SendAsync(request);
    }

    // Two requests: the first loads the account into the cache, the second is served from it.
    private static async Task WarmAsync(HttpClient client)
    {
        for (var i = 0; i < 2; i++)
        {
            using var me = await client.GetAsync("/api/auth/me");
            await Expect.StatusAsync(HttpStatusCode.OK, me);
        }
    }
}
