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
    public async Task UnknownApiRoute_Get_Returns404NotIndex()
    {
        using var response = await server.Client.GetAsync("/api/nothing-here");

        await Expect.StatusAsync(HttpStatusCode.NotFound, response);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
