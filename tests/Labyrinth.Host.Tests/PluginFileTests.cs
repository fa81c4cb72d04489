using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Labyrinth.Host.Features.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

public sealed class PluginFileTests(KestrelApp server) : IClassFixture<KestrelApp>
{
    private const string HelloJs = "/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js";

    private string HelloHost => CardSites.HostFor(server.Client, "dev.labyrinth.hello", "1.0.0");

    private static byte[] HelloJsOnDisk() => File.ReadAllBytes(Path.Combine(RepoRoot(), "plugins", "hello", "dist", "cards", "hello.js"));

    [Fact]
    public async Task GetFile_Listed_ServesScriptWithSecurityHeaders()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloJs);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        var cache = response.Headers.CacheControl!;
        Assert.True(cache.Public);
        Assert.Equal(TimeSpan.FromDays(365), cache.MaxAge);
        Assert.Contains("immutable", cache.ToString(), StringComparison.Ordinal);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(HelloJsOnDisk(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetFile_Listed_HasStrongSha256ETag()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloJs);

        var etag = response.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(HelloJsOnDisk()))}\"", etag.Tag);
    }

    [Fact]
    public async Task GetFile_MatchingIfNoneMatch_Returns304()
    {
        using var first = await server.Client.GetOnCardOriginAsync(HelloJs);
        using var request = new HttpRequestMessage(HttpMethod.Get, await CardSites.WithCapabilityAsync(server.Client, HelloJs));
        request.Headers.Host = HelloHost;
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task GetFile_AcceptsEncoding_ServesCompressedSameBytes(string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, await CardSites.WithCapabilityAsync(server.Client, HelloJs));
        request.Headers.Host = HelloHost;
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);

        using var response = await server.Client.SendAsync(request);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        await using var compressed = await response.Content.ReadAsStreamAsync();
        await using Stream decoder = encoding == "br" ? new BrotliStream(compressed, CompressionMode.Decompress) : new GZipStream(compressed, CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await decoder.CopyToAsync(plain);
        Assert.Equal(HelloJsOnDisk(), plain.ToArray());
    }

    [Fact]
    public async Task RawGet_CleanPath_IsServed()
    {
        // Proves the raw client reaches files at all, so the 404s below mean "refused".
        var (status, _) = await RawHttp.GetAsync(server.Address, await CardSites.WithCapabilityAsync(server.Client, HelloJs), HelloHost);

        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/../../dev.labyrinth.notes/1.0.0/manifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards/../../../dev.labyrinth.notes/1.0.0/cards/note.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/..%2f..%2fdev.labyrinth.notes%2f1.0.0%2fmanifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/..%2F..%2Fdev.labyrinth.notes%2F1.0.0%2Fmanifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/%2e%2e/%2e%2e/dev.labyrinth.notes/1.0.0/manifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/%2E%2E/%2E%2E/dev.labyrinth.notes/1.0.0/manifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards%2fhello.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards%5chello.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards\\hello.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/./cards/hello.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards//hello.js")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js%00")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js.br")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/build-manifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/cards/missing.js")]
    [InlineData("/plugins/dev.labyrinth.hello/9.9.9/cards/hello.js")]
    [InlineData("/plugins/dev.labyrinth.missing/1.0.0/cards/hello.js")]
    [InlineData("http://localhost/plugins/dev.labyrinth.hello/1.0.0/../../dev.labyrinth.notes/1.0.0/manifest.json")]
    [InlineData("http://localhost/plugins/dev.labyrinth.hello/1.0.0/%2e%2e/%2e%2e/dev.labyrinth.notes/1.0.0/manifest.json")]
    [InlineData("/plugins/dev.labyrinth.hello/1.0.0/%252e%252e/%252e%252e/dev.labyrinth.notes/1.0.0/manifest.json")]
    public async Task RawGet_EscapingOrUnlistedPath_Returns404(string rawTarget)
    {
        // Under a valid capability prefix for hello@1.0.0, so only the path itself can be refused.
        var prefix = await CardSites.PrefixAsync(server.Client, "dev.labyrinth.hello", "1.0.0");
        var at = rawTarget.IndexOf("/plugins/", StringComparison.Ordinal);
        var (status, _) = await RawHttp.GetAsync(server.Address, rawTarget[..at] + prefix + rawTarget[at..], HelloHost);

        Assert.True(status is 400 or 404, $"{rawTarget} answered {status}");
    }

    [Fact]
    public async Task GetFile_OtherPluginDirectly_IsServed()
    {
        // Control for the traversal cases: the target itself exists under its own prefix, on its own origin.
        var (status, _) = await RawHttp.GetAsync(server.Address, await CardSites.WithCapabilityAsync(server.Client, "/plugins/dev.labyrinth.notes/1.0.0/manifest.json"), CardSites.HostFor(server.Client, "dev.labyrinth.notes", "1.0.0"));

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task GetFile_PluginHtml_CarriesSandboxCspAndBootstrap()
    {
        using var response = await server.Client.GetOnCardOriginAsync("/plugins/dev.labyrinth.probe/1.0.0/cards/probe.html");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("sandbox allow-scripts", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/_frame/bootstrap.js\"></script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFile_PluginScript_HasNoHostPageCsp()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloJs);

        Assert.DoesNotContain("script-src 'self'", Header(response, "Content-Security-Policy") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFile_EveryInstalledFileAndEncoding_SendsItsWholeHeaderSet()
    {
        // Header values are built once per file and encoding; this pins the whole set each kind of
        // file gets (script, style, JSON, HTML and SVG documents, images…) against the file itself.
        var catalog = server.App.Services.GetRequiredService<PluginCatalog>();
        var checkedKinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plugin in catalog.All.Where(p => p.IsUsable))
        {
            var version = plugin.Active!;
            foreach (var file in version.Files.Values.Where(f => !version.HasGatedFiles || version.Manifest.Pages.All(p => p.Entry != f.Path)))
            {
                var path = $"/plugins/{plugin.Id}/{version.Version}/" + string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString));
                foreach (var (accept, body, encoding) in new[] { ("", file.Content, (string?)null), ("br", file.Brotli ?? file.Content, file.Brotli is null ? null : "br"), ("gzip", file.Gzip ?? file.Content, file.Gzip is null ? null : "gzip") })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, await CardSites.WithCapabilityAsync(server.Client, path));
                    request.Headers.Host = CardSites.HostFor(server.Client, plugin.Id, version.Version);
                    if (accept.Length > 0)
                    {
                        request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
                    }

                    using var response = await server.Client.SendAsync(request);

                    var at = $"{path} (Accept-Encoding: {accept})";
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{at}: {response.StatusCode}");
                    Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
                    Assert.Equal(file.ContentTypeHeader, Header(response, "Content-Type"));
                    Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "Content-Length"));
                    Assert.Equal(encoding, Header(response, "Content-Encoding"));
                    Assert.Equal(file.ETag, Header(response, "ETag"));
                    Assert.Equal("public, max-age=31536000, immutable", Header(response, "Cache-Control"));
                    Assert.Equal("Accept-Encoding", Header(response, "Vary"));
                    Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
                    Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
                    Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
                    Assert.Equal("off", Header(response, "X-DNS-Prefetch-Control"));
                    Assert.Equal("cross-origin", Header(response, "Cross-Origin-Resource-Policy"));
                    Assert.Null(Header(response, "Accept-Ranges"));
                    var document = file.ContentType is "text/html" or "image/svg+xml";
                    Assert.True(document == (Header(response, "Content-Security-Policy") is { } csp && csp.Contains("connect-src 'none'", StringComparison.Ordinal)), $"{at}: CSP");
                }

                checkedKinds.Add(file.ContentType);
            }
        }

        Assert.Contains("text/javascript", checkedKinds);
        Assert.Contains("text/html", checkedKinds);
    }

    [Fact]
    public async Task GetFile_Listed_DoesNotNameTheServer()
    {
        using var response = await server.Client.GetOnCardOriginAsync(HelloJs);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Null(Header(response, "Server"));
    }

    [Fact]
    public async Task Metrics_AfterPluginFileAnswers_CountEachUnderItsStatus()
    {
        var before = await FileRequestCountsAsync();

        using (var served = await server.Client.GetOnCardOriginAsync(HelloJs))
        using (var missing = await server.Client.GetOnCardOriginAsync("/plugins/dev.labyrinth.hello/1.0.0/cards/missing.js"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var after = await FileRequestCountsAsync();
        Assert.True(after.Ok >= before.Ok + 1, $"status 200: {before.Ok} before, {after.Ok} after");
        Assert.True(after.NotFound >= before.NotFound + 1, $"status 404: {before.NotFound} before, {after.NotFound} after");
    }

    private async Task<(double Ok, double NotFound)> FileRequestCountsAsync()
    {
        using var response = await server.Client.GetAsync("/metrics");
        var lines = HttpClientExtensions.WithoutInstanceLabel(await response.Content.ReadAsStringAsync()).Split('\n');
        double Count(string status) => lines.FirstOrDefault(l => l.StartsWith($"labyrinth_plugin_file_requests_total{{status=\"{status}\"}} ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        return (Count("200"), Count("404"));
    }

    [Fact]
    public async Task HeadFile_Listed_SendsTheGetHeadersWithoutABody()
    {
        using var get = await server.Client.GetOnCardOriginAsync(HelloJs);
        using var head = await server.Client.GetOnCardOriginAsync(HelloJs, HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        foreach (var name in new[] { "Content-Type", "Content-Length", "ETag", "Cache-Control", "Vary", "X-Content-Type-Options" })
        {
            Assert.Equal(Header(get, name), Header(head, name));
        }
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Labyrinth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Labyrinth.slnx not found above the test binaries.");
    }
}
