using System.Security.Cryptography;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Themes;
using Labyrinth.Host.Infrastructure;

namespace Labyrinth.Host.Features.Schemas;

/// <summary>
/// Public JSON Schemas for plugin authors: <c>GET /schemas/manifest.v1.json</c> and
/// <c>GET /schemas/theme.v1.json</c>. The bytes are the ones embedded in Labyrinth.Core (and
/// shipped in <c>sdk/schemas/</c>), served with a strong ETag so editors revalidate cheaply.
/// </summary>
internal static class SchemasApi
{
    public const string ManifestPath = "/schemas/manifest.v1.json";
    public const string ThemePath = "/schemas/theme.v1.json";
    public const string ContentType = "application/schema+json";

    internal sealed record SchemaDocument(ReadOnlyMemory<byte> Bytes, string ETag)
    {
        public static SchemaDocument Of(ReadOnlyMemory<byte> bytes) => new(bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes.Span))[..32] + "\"");
    }

    // Internal, not private: the endpoints take it as a parameter, and their request delegates are
    // generated at compile time (EnableRequestDelegateGenerator), which needs to name the type.
    internal sealed record SchemaDocuments(SchemaDocument Manifest, SchemaDocument Theme);

    public static IServiceCollection AddSchemas(this IServiceCollection services)
    {
        services.AddSingleton(new SchemaDocuments(SchemaDocument.Of(ManifestSchema.Utf8), SchemaDocument.Of(ThemeSchema.Utf8)));
        return services;
    }

    public static IEndpointRouteBuilder MapSchemas(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManifestPath, (HttpContext http, SchemaDocuments s) => Serve(http, s.Manifest)).AllowAnonymous().ShortCircuit().WithTags("Schemas");
        app.MapGet(ThemePath, (HttpContext http, SchemaDocuments s) => Serve(http, s.Theme)).AllowAnonymous().ShortCircuit().WithTags("Schemas");
        return app;
    }

    private static IResult Serve(HttpContext http, SchemaDocument schema)
    {
        var headers = http.Response.Headers;
        headers.ETag = schema.ETag;
        headers.CacheControl = "public, max-age=3600";
        if (HttpCaching.IfNoneMatchHits(http.Request, schema.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(schema.Bytes.ToArray(), ContentType);
    }
}
