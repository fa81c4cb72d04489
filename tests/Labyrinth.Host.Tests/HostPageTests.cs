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
        Assert.Equal("'self'", csp["frame-src"]);
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
}
