using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests;

/// <summary>
/// The login rate limit counts per client address. Behind a trusted reverse proxy that address
/// comes from X-Forwarded-For; from anyone else the header is ignored (a real socket, so the
/// sender's address is the loopback one the settings name or do not name).
/// </summary>
public sealed class ProxyHeadersTests
{
    private const int Limit = 3;

    [Fact]
    public async Task Login_BehindTrustedProxy_RateLimitIsPerForwardedClient()
    {
        await using var app = App(knownProxies: ["127.0.0.1", "::1"]);
        var proxy = await app.CreateClientAsync();

        for (var i = 0; i < Limit; i++)
        {
            using var attempt = await LoginAsync(proxy, "203.0.113.10");
            await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_credentials", attempt);
        }

        using var limited = await LoginAsync(proxy, "203.0.113.10");
        using var otherClient = await LoginAsync(proxy, "203.0.113.20");

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "auth.rate_limited", limited);
        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_credentials", otherClient);
    }

    [Fact]
    public async Task Login_FromUntrustedSender_ForwardedForIsIgnored()
    {
        await using var app = App(knownProxies: ["10.9.8.7"]);
        var sender = await app.CreateClientAsync();

        for (var i = 0; i < Limit; i++)
        {
            using var attempt = await LoginAsync(sender, "203.0.113.10");
            await Expect.StatusAsync(HttpStatusCode.Unauthorized, attempt);
        }

        using var spoofed = await LoginAsync(sender, "203.0.113.99");

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "auth.rate_limited", spoofed);
    }

    [Fact]
    public async Task Login_NoProxiesConfigured_ForwardedForIsIgnoredEvenFromLoopback()
    {
        await using var app = App(knownProxies: []);
        var sender = await app.CreateClientAsync();

        for (var i = 0; i < Limit; i++)
        {
            using var attempt = await LoginAsync(sender, "203.0.113.10");
            await Expect.StatusAsync(HttpStatusCode.Unauthorized, attempt);
        }

        using var spoofed = await LoginAsync(sender, "203.0.113.99");

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "auth.rate_limited", spoofed);
    }

    private static LabyrinthApp App(string[] knownProxies)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Labyrinth:ExamplePluginsDir"] = "",
            ["Labyrinth:LoginAttemptsPerMinute"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < knownProxies.Length; i++)
        {
            settings[$"Labyrinth:Proxies:KnownProxies:{i}"] = knownProxies[i];
        }

        return new LabyrinthApp(settings, kestrel: true);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { userName = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = "wrong-password-123" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
