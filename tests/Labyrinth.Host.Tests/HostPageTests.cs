using System.Net;

namespace Labyrinth.Host.Tests;

public sealed class HostPageTests(KestrelApp server) : IClassFixture<KestrelApp>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/boards/123")]
    public async Task HostPage_Any_HasStrictCsp(string url)
    {
        using var response = await server.Client.GetAsync(url);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var csp = FrameTests.Directives(PluginFileTests.Header(response, "Content-Security-Policy")!);
        Assert.Equal("'self'", csp["script-src"]);
        Assert.Equal($"http://*.cards.localhost:{server.Address.Port}", csp["frame-src"]); // the card origins only
        Assert.Equal("'none'", csp["frame-ancestors"]);
        Assert.DoesNotContain("unsafe-inline", csp["script-src"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp["default-src"], StringComparison.Ordinal);
        Assert.Equal("no-referrer", PluginFileTests.Header(response, "Referrer-Policy"));
    }

    [Fact]
    public async Task IndexHtml_Served_HasNoInlineScript()
    {
        using var response = await server.Client.GetAsync("/");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(FrameTests.InlineScript(), html);
    }

    [Fact]
    public async Task SampleModel_Get_IsServedAsGlbFromTheHostsOwnFiles()
    {
        // What "Add sample model" on the assets page fetches before uploading it like any file.
        using var response = await server.Client.GetAsync("/samples/labyrinth-knot.glb");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("model/gltf-binary", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", PluginFileTests.Header(response, "X-Content-Type-Options"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("glTF"u8.ToArray(), bytes[..4]);
    }

    [Fact]
    public async Task UnknownApiRoute_Get_Returns404NotIndex()
    {
        using var response = await server.Client.GetAsync("/api/nothing-here");

        await Expect.StatusAsync(HttpStatusCode.NotFound, response);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/boards/123")]
    [InlineData("/admin/services")]
    [InlineData("/assets")]
    public async Task AppRoute_Head_AnswersLikeGetWithoutBody(string url)
    {
        using var get = await server.Client.GetAsync(url);
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        await Expect.StatusAsync(HttpStatusCode.OK, head);
        Assert.Equal("text/html", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotNull(PluginFileTests.Header(head, "Content-Security-Policy"));
    }

    [Fact]
    public async Task BuiltScript_Get_ServesTheFileNotAProblem()
    {
        var shell = await server.Client.GetStringAsync("/");
        var script = System.Text.RegularExpressions.Regex.Match(shell, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.NotEmpty(script);

        using var response = await server.Client.GetAsync(script);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/boards/not-a-guid/nothing")]
    public async Task UnknownApiRoute_GetOrHead_Returns404ProblemDetails(string url)
    {
        using var get = await server.Client.GetAsync(url);
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", get);
        await Expect.StatusAsync(HttpStatusCode.NotFound, head);
    }

    [Theory]
    [InlineData("/assets/index-missing.js")]
    [InlineData("/assets/missing.css")]
    [InlineData("/assets/")]
    [InlineData("/assets/sub/dir")]
    [InlineData("/favicon-missing.png")]
    [InlineData("/boards/123/app.js.map")]
    [InlineData("/robots.txt")]
    public async Task MissingFile_Get_Returns404NotTheAppShell(string url)
    {
        using var response = await server.Client.GetAsync(url);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", response);
    }

    [Theory]
    [InlineData("cors")]
    [InlineData("no-cors")]
    [InlineData("same-origin")]
    public async Task AppRoute_FetchThatIsNotANavigation_Returns404(string mode)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.Add("Sec-Fetch-Mode", mode);

        using var response = await server.Client.SendAsync(request);

        await Expect.StatusAsync(HttpStatusCode.NotFound, response);
    }

    [Fact]
    public async Task AppRoute_BrowserNavigation_ServesTheShell()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/plugins");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Dest", "document");

        using var response = await server.Client.SendAsync(request);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
