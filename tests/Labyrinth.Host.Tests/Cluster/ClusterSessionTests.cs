using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Tests.Broker;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>A pair of its own: one test stops its Redis.</summary>
public sealed class SessionClusterFixture : IAsyncLifetime
{
    internal ClusterPair Pair { get; private set; } = null!;

    internal ClusterPair.Session Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Pair = await ClusterPair.StartAsync();
        Admin = await Pair.SetupAdminAsync();
    }

    public async ValueTask DisposeAsync() => await Pair.DisposeAsync();
}

/// <summary>
/// An account change acknowledged by one instance is in force on every instance at the next
/// request, though each instance keeps validated sessions in memory, and whether or not Redis is up.
/// </summary>
public sealed class ClusterSessionTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public async Task Disable_OnA_RefusesTheSameCookieAtOnceOnAAndB()
    {
        var (member, id) = await WarmMemberAsync();

        await ChangeAsync(() => cluster.Admin.OnA.PatchAsJsonAsync($"/api/admin/users/{id}", new { disabled = true }), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.A, member));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.B, member));
    }

    [Fact]
    public async Task SignOut_OnA_RefusesTheSameCookieAtOnceOnAAndB()
    {
        var (member, _) = await WarmMemberAsync();

        using (var client = cluster.Pair.A.CreateDefaultClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout"))
        {
            request.Headers.Add("Cookie", member);
            request.Headers.Add("X-Labyrinth-Request", "1");
            using var signOut = await client.SendAsync(request);
            await Expect.StatusAsync(HttpStatusCode.NoContent, signOut);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.A, member));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.B, member));
    }

    [Fact]
    public async Task PasswordReset_OnA_RefusesTheSameCookieAtOnceOnAAndB()
    {
        var (member, id) = await WarmMemberAsync();

        await ChangeAsync(() => cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/users/{id}/password", new { password = "another-horse-battery" }), HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.A, member));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.B, member));
    }

    [Fact]
    public async Task Delete_OnA_RefusesTheSameCookieAtOnceOnAAndB()
    {
        var (member, id) = await WarmMemberAsync();

        await ChangeAsync(() => cluster.Admin.OnA.DeleteAsync($"/api/admin/users/{id}"), HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.A, member));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.B, member));
    }

    [Fact]
    public async Task RoleChange_OnA_AppliesToTheSameCookieAtOnceOnB()
    {
        var (member, id) = await WarmMemberAsync();
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(cluster.Pair.B, member, "/api/admin/users"));

        await ChangeAsync(() => cluster.Admin.OnA.PatchAsJsonAsync($"/api/admin/users/{id}", new { role = "admin" }), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, await GetAsync(cluster.Pair.B, member, "/api/admin/users"));
    }

    [Fact]
    public async Task RedisDown_DisableOnA_StillRefusesTheSameCookieOnB()
    {
        var (member, id) = await WarmMemberAsync();
        await cluster.Pair.Redis.StopAsync();
        try
        {
            await ChangeAsync(() => cluster.Admin.OnA.PatchAsJsonAsync($"/api/admin/users/{id}", new { disabled = true }), HttpStatusCode.OK);

            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.B, member));
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(cluster.Pair.A, member));
        }
        finally
        {
            await cluster.Pair.Redis.StartAsync();
        }

        // The other tests of this pair sign in (a rate limit kept in Redis): wait until both are back.
        foreach (var app in new[] { cluster.Pair.A, cluster.Pair.B })
        {
            await Eventually.ReachAsync(async () =>
            {
                using var health = await app.CreateClient().GetAsync("/healthz");
                return (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
            }, status => status == "ok", "Redis healthy again");
        }
    }

    /// <summary>A new member whose session both instances have validated twice (so each serves it from memory), and its cookie.</summary>
    private async Task<(string Cookie, Guid Id)> WarmMemberAsync()
    {
        var member = await cluster.Pair.MemberAsync(cluster.Admin);
        var me = await member.OnA.GetFromJsonAsync<JsonElement>("/api/auth/me");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await MeAsync(cluster.Pair.A, member.Cookie));
            Assert.Equal(HttpStatusCode.OK, await MeAsync(cluster.Pair.B, member.Cookie));
        }

        return (member.Cookie, Guid.Parse(me.Id()));
    }

    private static async Task ChangeAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode acknowledged)
    {
        using var response = await send();
        await Expect.StatusAsync(acknowledged, response);
    }

    private static Task<HttpStatusCode> MeAsync(BrokerFactory app, string cookie) => GetAsync(app, cookie, "/api/auth/me");

    // The cookie as a replaying client sends it: a jar would drop it at the first refusal.
    private static async Task<HttpStatusCode> GetAsync(BrokerFactory app, string cookie, string path)
    {
        using var client = app.CreateDefaultClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-Labyrinth-Request", "1");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
