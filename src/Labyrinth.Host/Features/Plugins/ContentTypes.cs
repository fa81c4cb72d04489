using System.Collections.Frozen;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>The only file types a plugin may ship, with the MIME type each is served as.</summary>
internal static class ContentTypes
{
    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".js"] = "text/javascript",
        [".mjs"] = "text/javascript",
        [".css"] = "text/css",
        [".html"] = "text/html",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".ico"] = "image/x-icon",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".txt"] = "text/plain",
        [".md"] = "text/plain",
        [".wasm"] = "application/wasm",
        [".glb"] = "model/gltf-binary",
        [".gltf"] = "model/gltf+json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static bool IsAllowed(string path) => ByExtension.ContainsKey(Path.GetExtension(path));

    public static string For(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");

    /// <summary>Adds the charset for text types; binary types are served as they are.</summary>
    public static string HeaderValue(string contentType) =>
        contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/json" or "image/svg+xml" or "model/gltf+json"
            ? contentType + "; charset=utf-8"
            : contentType;
}
