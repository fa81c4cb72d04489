using System.Net;
using System.Text.Json;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Host.Tests;

public sealed class SchemaEndpointTests
{
    [Fact]
    public async Task ManifestSchema_Anonymous_ServesEmbeddedSchemaWithCaching()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/schemas/manifest.v1.json");
        var body = await response.Content.ReadAsByteArrayAsync();

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(body.AsSpan().SequenceEqual(ManifestSchema.Utf8.Span));
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("http://json-schema.org/draft-07/schema#", doc.RootElement.GetProperty("$schema").GetString());
        Assert.NotNull(response.Headers.ETag);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromHours(1), response.Headers.CacheControl?.MaxAge);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/schemas/manifest.v1.json");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var revalidated = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }
}
