using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class AuthTests
{
    [Fact]
    public async Task Login_WrongPassword_Returns401InvalidCredentials()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.SetupAdminAsync();
        var client = await app.CreateClientAsync();

        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = "wrong-password-123" });

        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_credentials", response);
    }

    [Fact]
    public async Task Login_UnknownUser_AnswersLikeWrongPassword()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.SetupAdminAsync();
        var client = await app.CreateClientAsync();

        using var wrongPassword = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = "wrong-password-123" });
        using var unknownUser = await client.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "wrong-password-123" });

        Assert.Equal(wrongPassword.StatusCode, unknownUser.StatusCode);
        Assert.Equal(await ProblemWithoutTraceAsync(wrongPassword), await ProblemWithoutTraceAsync(unknownUser));
    }

    [Fact]
    public async Task Login_TooManyAttempts_Returns429RateLimited()
    {
        await using var app = LabyrinthApp.With("Labyrinth:LoginAttemptsPerMinute", "3");
        var client = await app.CreateClientAsync();
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "wrong-password-123" });
            await Expect.StatusAsync(HttpStatusCode.Unauthorized, attempt);
        }

        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "wrong-password-123" });

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "auth.rate_limited", response);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Login_ValidCredentials_SetsHttpOnlyStrictCookie()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.SetupAdminAsync();
        var client = await app.CreateClientAsync();

        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("labyrinth.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Me_AfterLogout_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.SetupAdminAsync();

        using var logout = await client.PostAsync("/api/auth/logout", null);
        using var me = await client.GetAsync("/api/auth/me");

        await Expect.StatusAsync(HttpStatusCode.NoContent, logout);
        await Expect.StatusAsync(HttpStatusCode.Unauthorized, me);
    }

    [Fact]
    public async Task Me_Anonymous_Returns401NotRedirect()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var me = await client.GetAsync("/api/auth/me");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, me);
        Assert.Null(me.Headers.Location);
    }

    private static async Task<string> ProblemWithoutTraceAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, JsonElement>>();
        problem!.Remove("traceId");
        return string.Join(";", problem.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.GetRawText()}"));
    }
}
