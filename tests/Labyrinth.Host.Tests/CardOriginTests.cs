using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Plugins;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Each plugin version on its own card origin: files and frames only there, nothing else there,
/// and the host origin's CSP trusting host code only.
/// </summary>
public sealed class CardOriginTests(KestrelApp server) : IClassFixture<KestrelApp>
{
    private const string HelloJs = "/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js";
    private const string HelloFrame = "/cards/frame/dev.labyrinth.hello/1.0.0/hello";

    private string HostAuthority => server.Address.Authority;

    private string Hello => CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0");

    private string Notes => CardSites.HostFor(server.Client, "dev.labyrinth.notes", "1.0.0");

    [Theory]
    [InlineData(HelloJs)]
    [InlineData(HelloFrame)]
    [InlineData("/_frame/bootstrap.js")]
    public async Task PluginSurface_OnHostOrigin_Returns404(string path)
    {
        using var response = await server.Client.GetAsync(path);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", response);
    }

    [Theory]
    [InlineData(HelloJs)]
    [InlineData(HelloFrame)]
    public async Task PluginSurface_OnAnotherPluginsOrigin_Returns404(string path)
    {
        using var response = await server.Client.GetOnOriginAsync(Notes, path);

        await Expect.StatusAsync(HttpStatusCode.NotFound, response);
    }

    [Theory]
    [InlineData(HelloJs)]
    [InlineData(HelloFrame)]
    [InlineData("/_frame/bootstrap.js")]
    public async Task PluginSurface_OnItsOwnOrigin_IsServed(string path)
    {
        using var response = await server.Client.GetOnOriginAsync(Hello, path);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/boards/x")]
    [InlineData("/api/auth/me")]
    [InlineData("/api/plugins")]
    [InlineData("/healthz")]
    public async Task CardOrigin_AnythingButPluginSurfaces_Returns404(string path)
    {
        using var response = await server.Client.GetOnOriginAsync(Hello, path);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", response);
    }

    [Fact]
    public async Task BuiltHostScript_OnCardOrigin_Returns404()
    {
        var shell = await server.Client.GetStringAsync("/");
        var script = System.Text.RegularExpressions.Regex.Match(shell, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.NotEmpty(script);

        using var response = await server.Client.GetOnOriginAsync(Hello, script);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", response);
    }

    [Theory]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/../../etc/passwd")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/../../../etc/passwd")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/_frame/%2e%2e/etc/passwd")]
    [InlineData("/_frame/../index.html")]
    [InlineData("/cards/%2e%2e/boards/x")]
    [InlineData("/%70lugins/%2e%2e/index.html")]
    public async Task TraversalOutOfPluginSurface_NeverServesTheAppShell(string rawTarget)
    {
        foreach (var host in new[] { HostAuthority, Hello })
        {
            var (status, head, body) = await RawHttp.SendAsync(server.Address, rawTarget, host);

            Assert.True(status is 400 or 404, $"{rawTarget} on {host} answered {status}");
            Assert.Contains("application/problem+json", head, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task HostPage_Csp_FramesOnlyCardOriginsAndScriptsOnlySelf()
    {
        using var response = await server.Client.GetAsync("/");

        var csp = FrameTests.Directives(PluginFileTests.Header(response, "Content-Security-Policy")!);
        Assert.Equal($"http://*.cards.localhost:{server.Address.Port}", csp["frame-src"]);
        Assert.Equal("'self'", csp["script-src"]);
    }

    [Fact]
    public async Task PluginFile_OnCardOrigin_LoadableFromOpaqueOriginFrames()
    {
        using var response = await server.Client.GetOnOriginAsync(Hello, HelloJs);

        Assert.Equal("*", PluginFileTests.Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("cross-origin", PluginFileTests.Header(response, "Cross-Origin-Resource-Policy"));
        Assert.Null(PluginFileTests.Header(response, "X-Frame-Options"));
    }

    [Fact]
    public void Label_IsStableDnsSafeAndDiffersPerVersion()
    {
        var a = CardOrigins.Label("dev.labyrinth.hello", "1.0.0");

        Assert.Equal(a, CardOrigins.Label("dev.labyrinth.hello", "1.0.0"));
        Assert.Matches("^[a-z2-7]{20}$", a);
        Assert.NotEqual(a, CardOrigins.Label("dev.labyrinth.hello", "1.0.1"));
        Assert.NotEqual(a, CardOrigins.Label("dev.labyrinth.hell", "o1.0.0"));
    }
}

/// <summary>Card-origin settings: shared origins, public origin, validation, and the admin's warnings.</summary>
public sealed class CardOriginSettingsTests
{
    [Fact]
    public async Task CardOrigins_Default_IsolatedWithoutWarnings()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "" });
        var admin = await app.SetupAdminAsync();

        var facts = await admin.GetJsonAsync("/api/plugins/card-origins");

        Assert.True(facts.GetProperty("isolated").GetBoolean());
        Assert.Equal("http://{label}.cards.localhost:{port}", facts.GetProperty("template").GetString());
        Assert.Equal(0, facts.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task CardOrigins_TemplateWithoutLabel_WarnsIsolationIsOff()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:ExamplePluginsDir"] = "", ["Labyrinth:Cards:OriginTemplate"] = "http://cards.localhost:{port}",
        });
        var admin = await app.SetupAdminAsync();

        var facts = await admin.GetJsonAsync("/api/plugins/card-origins");

        Assert.False(facts.GetProperty("isolated").GetBoolean());
        Assert.Contains(facts.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("code").GetString() == "cards.isolation_off");
    }

    [Fact]
    public async Task CardOrigins_LoopbackTemplateReachedByAnotherName_WarnsCardsWillNotLoad()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "" });
        var admin = await app.SetupAdminAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/plugins/card-origins");
        request.Headers.Host = "192.168.1.20:5080";

        using var response = await admin.SendAsync(request);

        var facts = await response.Content.ReadFromJsonAsync<JsonElement>();
        var warning = Assert.Single(facts.GetProperty("warnings").EnumerateArray());
        Assert.Equal("cards.loopback_origin", warning.GetProperty("code").GetString());
        Assert.Contains("192.168.1.20", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedCardOrigin_ServesEveryPluginButNotTheHost()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:Cards:OriginTemplate"] = "http://cards.localhost:{port}" });
        var client = await app.CreateClientAsync();

        using var hello = await client.GetOnOriginAsync("cards.localhost", "/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js");
        using var notes = await client.GetOnOriginAsync("cards.localhost", "/plugins/dev.labyrinth.notes/1.0.0/manifest.json");
        using var api = await client.GetOnOriginAsync("cards.localhost", "/api/auth/me");
        using var onHost = await client.GetAsync("/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js");

        await Expect.StatusAsync(HttpStatusCode.OK, hello);
        await Expect.StatusAsync(HttpStatusCode.OK, notes);
        await Expect.StatusAsync(HttpStatusCode.NotFound, api);
        await Expect.StatusAsync(HttpStatusCode.NotFound, onHost);
    }

    [Fact]
    public async Task PublicOrigin_Configured_IsTheOnlyFrameAncestorAndSetsThePort()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:Cards:OriginTemplate"] = "https://{label}.cards.example.net",
            ["Labyrinth:PublicOrigin"] = "https://labyrinth.example.com",
        });
        var admin = await app.SetupAdminAsync();
        var label = CardOrigins.Label("dev.labyrinth.hello", "1.0.0");

        using var frame = await admin.GetOnOriginAsync($"{label}.cards.example.net", "/cards/frame/dev.labyrinth.hello/1.0.0/hello");
        var plugins = await admin.GetJsonAsync("/api/plugins");

        await Expect.StatusAsync(HttpStatusCode.OK, frame);
        Assert.Equal("https://labyrinth.example.com", FrameTests.Directives(PluginFileTests.Header(frame, "Content-Security-Policy")!)["frame-ancestors"]);
        var hello = plugins.EnumerateArray().Single(p => p.Id() == "dev.labyrinth.hello").GetProperty("cards")[0];
        // On the configured card origin, under the person's capability prefix.
        Assert.Matches($@"^https://{label}\.cards\.example\.net/cap/[A-Za-z0-9_-]+/cards/frame/dev\.labyrinth\.hello/1\.0\.0/hello(\?r=[^&]+)?$", hello.GetProperty("frameUrl").GetString());
    }

    [Theory]
    [InlineData("ftp://{label}.cards.localhost", null)]
    [InlineData("http://{label}.cards.localhost/path", null)]
    [InlineData("http://x{label}.cards.localhost:{port}", null)]
    [InlineData("http://{label}.cards.example.net", null)] // not loopback: the host must know its public origin
    [InlineData("http://localhost:{port}", null)]           // the host's own origin
    [InlineData("https://app.example.com", "https://app.example.com")]
    [InlineData("http://{label}.cards.localhost:{port}", "https://app.example.com/path")]
    public void Validate_UnsoundSettings_SaysWhatToFix(string template, string? publicOrigin)
    {
        var error = CardOrigins.Validate(new CardOriginOptions { OriginTemplate = template, PublicOrigin = publicOrigin });

        Assert.NotNull(error);
        Assert.Contains("Labyrinth:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://{label}.cards.localhost:{port}", null)]
    [InlineData("http://cards.localhost:5081", null)]
    [InlineData("https://{label}.cards.example.net", "https://labyrinth.example.com")]
    [InlineData("https://cards.example.net", "https://labyrinth.example.com")]
    public void Validate_SoundSettings_Accepted(string template, string? publicOrigin)
    {
        Assert.Null(CardOrigins.Validate(new CardOriginOptions { OriginTemplate = template, PublicOrigin = publicOrigin }));
    }

    [Fact]
    public void CardOrigins_UnsoundSettings_RefuseToStart()
    {
        var options = Options.Create(new CardOriginOptions { OriginTemplate = "http://{label}.cards.example.net" });

        Assert.Throws<OptionsValidationException>(() => new CardOrigins(options));
    }

    [Theory]
    [InlineData("http://{label}.cards.localhost:{port}", null, "abc.cards.localhost:5080", "abc")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "abc.cards.localhost", "abc")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "abc.cards.localhost:", "abc")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "abc.cards.localhost.:5080", "abc")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "ABC.Cards.LocalHost:5080", "abc")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "a.b.cards.localhost:5080", "a.b")]
    [InlineData("http://{label}.cards.localhost:{port}", null, ".cards.localhost:5080", "")]
    [InlineData("http://{label}.cards.localhost:{port}", null, "cards.localhost:5080", null)]
    [InlineData("http://{label}.cards.localhost:{port}", null, "evilcards.localhost:5080", null)]
    [InlineData("http://{label}.cards.localhost:{port}", null, "abc.cards.localhost.evil.test:5080", null)]
    [InlineData("http://{label}.cards.localhost:{port}", null, "localhost:5080", null)]
    [InlineData("http://{label}.cards.localhost:{port}", null, "127.0.0.1:5080", null)]
    [InlineData("http://{label}.cards.localhost:{port}", null, "[::1]:5080", null)]
    [InlineData("https://{label}.cards.example.net:8443", "https://labyrinth.example.com", "abc.cards.example.net:8443", "abc")]
    [InlineData("https://{label}.cards.example.net:8443", "https://labyrinth.example.com", "abc.cards.example.net:08443", "abc")]
    [InlineData("https://{label}.cards.example.net:8443", "https://labyrinth.example.com", "abc.cards.example.net:8444", null)]
    [InlineData("https://{label}.cards.example.net:8443", "https://labyrinth.example.com", "abc.cards.example.net", null)]
    [InlineData("https://{label}.cards.example.net:8443", "https://labyrinth.example.com", "abc.cards.example.net:99999999999", null)]
    [InlineData("http://cards.localhost:5081", null, "cards.localhost:5081", "(shared)")]
    [InlineData("http://cards.localhost:5081", null, "CARDS.localhost.:5081", "(shared)")]
    [InlineData("http://cards.localhost:5081", null, "x.cards.localhost:5081", null)]
    [InlineData("http://cards.localhost:5081", null, "cards.localhost:5080", null)]
    public void Classify_HostHeader_NamesItsCardSiteOrNone(string template, string? publicOrigin, string host, string? expected)
    {
        var origins = new CardOrigins(Options.Create(new CardOriginOptions { OriginTemplate = template, PublicOrigin = publicOrigin }));

        var site = origins.Classify(RequestTo(host));

        Assert.Equal(expected, site is null ? null : site.Label ?? "(shared)");
    }

    [Fact]
    public void Classify_SameCardOriginAgain_ReturnsTheSameSite()
    {
        var origins = new CardOrigins(Options.Create(new CardOriginOptions()));
        var host = CardOrigins.Label("dev.labyrinth.hello", "1.0.0") + ".cards.localhost:5080";

        var first = origins.Classify(RequestTo(host));

        Assert.NotNull(first);
        Assert.Same(first, origins.Classify(RequestTo(host)));
    }

    private static Microsoft.AspNetCore.Http.HttpRequest RequestTo(string host)
    {
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Headers.Host = host;
        return request;
    }
}
