using System.Net;
using System.Text.RegularExpressions;

namespace Labyrinth.Host.Tests;

public sealed partial class FrameTests(KestrelApp server) : IClassFixture<KestrelApp>
{
    private const string HelloFrame = "/cards/frame/dev.labyrinth.hello/1.0.0/hello";

    private string HelloOrigin => $"http://{CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0")}";

    [Fact]
    public async Task Frame_KnownCard_HasStrictCsp()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloFrame);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var csp = Directives(PluginFileTests.Header(response, "Content-Security-Policy")!);
        Assert.Equal("'none'", csp["default-src"]);
        Assert.Equal("'none'", csp["connect-src"]);
        Assert.Equal("'none'", csp["base-uri"]);
        Assert.Equal("'none'", csp["frame-src"]);
        Assert.Equal("'none'", csp["form-action"]);
        Assert.Equal("allow-scripts", csp["sandbox"]);
    }

    [Fact]
    public async Task Frame_KnownCard_CspHasNoWebrtcDirective()
    {
        // Chromium does not implement `webrtc` and logs an error per frame for it; the bootstrap
        // removes WebRTC instead.
        using var response = await server.Client.GetOnCardOriginAsync(HelloFrame);

        Assert.DoesNotContain("webrtc", PluginFileTests.Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_KnownCard_OnlyLoopbackHostPagesMayEmbedIt()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloFrame);

        var port = server.Address.Port;
        var ancestors = Directives(PluginFileTests.Header(response, "Content-Security-Policy")!)["frame-ancestors"].Split(' ');
        // Never an IPv6 literal: CSP cannot express one (Chromium warns for every frame and ignores it).
        Assert.Equal([$"http://localhost:{port}", $"http://127.0.0.1:{port}"], ancestors);
    }

    [Fact]
    public async Task Frame_KnownCard_ScriptSrcIsOnlyThatPluginAndBootstrap()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloFrame);

        var origin = HelloOrigin;
        var prefix = await CardSites.PrefixAsync(server.Client, "dev.labyrinth.hello", "1.0.0");
        var scriptSrc = Directives(PluginFileTests.Header(response, "Content-Security-Policy")!)["script-src"].Split(' ');
        // Only this person's capability path for this version: the card cannot load another version's code, or another person's URL.
        Assert.Equal([$"{origin}{prefix}/plugins/dev.labyrinth.hello/1.0.0/", $"{origin}/_frame/"], scriptSrc);
    }

    [Fact]
    public async Task Frame_KnownCard_HasNoInlineScript()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloFrame);

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.Matches("<script src=\"/_frame/bootstrap\\.js\\?v=[0-9a-f]{16}\"></script>", html);
        var prefix = await CardSites.PrefixAsync(server.Client, "dev.labyrinth.hello", "1.0.0");
        Assert.Contains($"content=\"{prefix}/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js\"", html, StringComparison.Ordinal);
        Assert.Equal("off", PluginFileTests.Header(response, "X-DNS-Prefetch-Control"));
    }

    [Theory]
    [InlineData("/cards/frame/dev.labyrinth.hello/1.0.0/nope")]
    [InlineData("/cards/frame/dev.labyrinth.hello/9.9.9/hello")]
    [InlineData("/cards/frame/dev.labyrinth.missing/1.0.0/hello")]
    public async Task Frame_UnknownCard_Returns404(string url)
    {
        using var response = await server.Client.GetOnCardOriginAsync(url);

        await Expect.StatusAsync(HttpStatusCode.NotFound, response);
    }

    [Fact]
    public async Task Frame_HtmlEntryCard_RedirectsToItsFile()
    {
        // Raw, because the socket handler under the Kestrel client follows redirects by itself.
        var prefix = await CardSites.PrefixAsync(server.Client, "dev.labyrinth.probe", "1.0.0");
        var (status, head) = await RawHttp.GetAsync(server.Address, prefix + "/cards/frame/dev.labyrinth.probe/1.0.0/html", CardSites.HostFor(server.Client, "dev.labyrinth.probe", "1.0.0"));

        Assert.True(status is >= 300 and < 400, $"answered {status}");
        Assert.Contains($"\r\nLocation: {prefix}/plugins/dev.labyrinth.probe/1.0.0/cards/probe.html\r\n", head + "\r\n", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bootstrap_Get_ServesScriptLoadableFromOpaqueOrigin()
    {
        using var response = await server.Client.GetOnOriginAsync(CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0"), "/_frame/bootstrap.js");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", PluginFileTests.Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("nosniff", PluginFileTests.Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task Bootstrap_IfNoneMatchListWithWeakTag_Returns304()
    {
        var card = CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0");
        using var first = await server.Client.GetOnOriginAsync(card, "/_frame/bootstrap.js");
        var etag = PluginFileTests.Header(first, "ETag");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_frame/bootstrap.js");
        request.Headers.Host = card;
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"stale\", W/{etag}");

        using var response = await server.Client.SendAsync(request);

        await Expect.StatusAsync(HttpStatusCode.NotModified, response);
    }

    [Fact]
    public async Task Bootstrap_TheFramesVersionedUrl_IsImmutableSoAColdFrameSkipsRevalidation()
    {
        var card = CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0");
        using var frame = await server.Client.GetOnCardOriginAsync(HelloFrame);
        var src = System.Text.RegularExpressions.Regex.Match(await frame.Content.ReadAsStringAsync(), "<script src=\"([^\"]+)\"").Groups[1].Value;

        using var versioned = await server.Client.GetOnOriginAsync(card, src);
        using var bare = await server.Client.GetOnOriginAsync(card, "/_frame/bootstrap.js");

        await Expect.StatusAsync(HttpStatusCode.OK, versioned);
        Assert.Equal("public, max-age=31536000, immutable", PluginFileTests.Header(versioned, "Cache-Control"));
        Assert.Equal(await bare.Content.ReadAsByteArrayAsync(), await versioned.Content.ReadAsByteArrayAsync());
        Assert.Equal(PluginFileTests.Header(bare, "ETag"), PluginFileTests.Header(versioned, "ETag"));
    }

    [Theory]
    [InlineData("/_frame/bootstrap.js")]
    [InlineData("/_frame/bootstrap.js?v=0000000000000000")]
    [InlineData("/_frame/bootstrap.js?v=")]
    public async Task Bootstrap_BareOrAnotherVersion_IsRevalidated(string path)
    {
        using var response = await server.Client.GetOnOriginAsync(CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0"), path);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("no-cache", PluginFileTests.Header(response, "Cache-Control"));
    }

    internal static Dictionary<string, string> Directives(string csp) =>
        csp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>A &lt;script&gt; start tag without a src attribute.</summary>
    [GeneratedRegex("<script(?![^>]*\\bsrc\\s*=)[^>]*>", RegexOptions.IgnoreCase)]
    internal static partial Regex InlineScript();
}
