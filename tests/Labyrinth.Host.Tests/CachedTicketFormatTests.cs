using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Labyrinth.Host.Features.Auth;
using Microsoft.AspNetCore.Authentication;

namespace Labyrinth.Host.Tests;

/// <summary>
/// The sign-in cookie is decrypted and verified once per distinct value and then served from
/// memory for a bounded time; a value the data protector refused is never kept, and each caller
/// gets a ticket of its own.
/// </summary>
public sealed class CachedTicketFormatTests
{
    [Fact]
    public void Unprotect_SameCookieTwice_DecryptsOnceAndHandsOutCopies()
    {
        var inner = new CountingFormat();
        var format = new CachedTicketFormat(inner, new StepClock());

        var first = format.Unprotect("genuine");
        var second = format.Unprotect("genuine");

        Assert.Equal(1, inner.Calls);
        Assert.Equal("alice", second!.Principal.Identity!.Name);
        Assert.NotSame(first!.Principal, second.Principal);
        Assert.NotSame(first.Properties, second.Properties);
    }

    [Fact]
    public void Unprotect_RefusedValue_IsAskedOfTheProtectorEveryTime()
    {
        var inner = new CountingFormat();
        var format = new CachedTicketFormat(inner, new StepClock());

        Assert.Null(format.Unprotect("forged"));
        Assert.Null(format.Unprotect("forged"));

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void Unprotect_AfterMaxAge_DecryptsAgain()
    {
        var inner = new CountingFormat();
        var clock = new StepClock();
        var format = new CachedTicketFormat(inner, clock);

        format.Unprotect("genuine");
        clock.Advance(CachedTicketFormat.MaxAge);
        format.Unprotect("genuine");

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task AlteredCookie_AfterTheGenuineOneWasServedFromMemory_IsRefused()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.CreateMemberAsync("alice");
        string cookie;
        using (var login = await SendAsync(app, HttpMethod.Post, "/api/auth/login", null, JsonContent.Create(new { userName = "alice", password = LabyrinthApp.Password })))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, login);
            cookie = login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';', 2)[0]).Single(c => c.StartsWith("labyrinth.auth=", StringComparison.Ordinal));
        }

        for (var i = 0; i < 2; i++)
        {
            using var me = await SendAsync(app, HttpMethod.Get, "/api/auth/me", cookie);
            await Expect.StatusAsync(HttpStatusCode.OK, me);
        }

        // One character of the protected payload changed: the MAC no longer matches.
        var at = cookie.Length - 10;
        var altered = cookie[..at] + (cookie[at] == 'A' ? 'B' : 'A') + cookie[(at + 1)..];
        using var response = await SendAsync(app, HttpMethod.Get, "/api/auth/me", altered);

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    private static async Task<HttpResponseMessage> SendAsync(LabyrinthApp app, HttpMethod method, string path, string? cookie, HttpContent? content = null)
    {
        using var client = app.CreateDefaultClient();
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        request.Headers.Add("X-Labyrinth-Request", "1");
        return await client.SendAsync(request);
    }

    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public int Calls { get; private set; }

        public string Protect(AuthenticationTicket data) => throw new NotSupportedException();

        public string Protect(AuthenticationTicket data, string? purpose) => throw new NotSupportedException();

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Calls++;
            return protectedText == "genuine"
                ? new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test")), "cookie")
                : null;
        }
    }

    private sealed class StepClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => now += by;

        public override DateTimeOffset GetUtcNow() => now;
    }
}
