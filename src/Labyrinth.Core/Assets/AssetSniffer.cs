using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Labyrinth.Core.Assets;

/// <summary>What an upload is, decided from its bytes (never its name or the client's Content-Type).</summary>
public sealed record AssetKind(string Type, string MediaType);

/// <summary>Either a kind or a sentence saying why the bytes are refused.</summary>
public sealed record SniffResult(AssetKind? Kind, string? Refusal)
{
    public static SniffResult Accept(string type, string mediaType) => new(new AssetKind(type, mediaType), null);

    public static SniffResult Refuse(string reason) => new(null, reason);
}

/// <summary>
/// Decides an asset's type from magic bytes: image (PNG, JPEG, GIF, WebP), pdf, 3d-model (GLB v2 or
/// self-contained glTF JSON) and UTF-8 text. Markup (SVG, HTML, XML) is refused outright, whatever
/// the file is called, because a browser would run it as a document. A polyglot (PNG header then
/// HTML) is accepted as the image its header says: it is only ever served as that image type with
/// nosniff and a sandbox CSP.
/// </summary>
public static class AssetSniffer
{
    public const string Image = "image";
    public const string Pdf = "pdf";
    public const string Model = "3d-model";
    public const string Text = "text";

    public static readonly IReadOnlyList<string> Types = [Image, Pdf, Model, Text];

    /// <summary>How much of a text file is checked for UTF-8 and NUL bytes.</summary>
    public const int TextProbeBytes = 64 * 1024;

    /// <summary>glTF JSON is parsed whole (to find external uris); larger JSON is refused as a model.</summary>
    public const long MaxGltfJsonBytes = 32L * 1024 * 1024;

    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsKnownType(string? type) => type is Image or Pdf or Model or Text;

    /// <summary>Sniffs a readable, seekable stream from its start; the stream's position is not restored.</summary>
    public static SniffResult Sniff(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var head = new byte[TextProbeBytes];
        content.Position = 0;
        var length = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var span = head.AsSpan(0, length);
        if (length == 0)
        {
            return SniffResult.Refuse("The file is empty.");
        }

        if (ImageMediaType(span) is { } imageType)
        {
            return SniffResult.Accept(Image, imageType);
        }

        if (span.StartsWith("%PDF-"u8))
        {
            return SniffResult.Accept(Pdf, "application/pdf");
        }

        if (span.StartsWith("glTF"u8))
        {
            return length >= 12 && BinaryPrimitives.ReadUInt32LittleEndian(span[4..8]) == 2
                ? SniffResult.Accept(Model, "model/gltf-binary")
                : SniffResult.Refuse("Only glTF binary (GLB) version 2 is accepted.");
        }

        var isComplete = content.Length <= length;
        if (!IsUtf8Text(span, isComplete))
        {
            return SniffResult.Refuse("The file is not an image (PNG, JPEG, GIF, WebP), PDF, 3D model (glTF/GLB) or UTF-8 text.");
        }

        var first = FirstSignificantByte(span);
        if (first == (byte)'<')
        {
            return SniffResult.Refuse("Markup (SVG, HTML, XML) is not accepted: a browser could run it as a page.");
        }

        if (first == (byte)'{' && content.Length <= MaxGltfJsonBytes)
        {
            content.Position = 0;
            var gltf = CheckGltfJson(content);
            if (gltf is not null)
            {
                return gltf;
            }
        }

        return SniffResult.Accept(Text, "text/plain; charset=utf-8");
    }

    /// <summary>The image media type of <paramref name="head"/> by magic bytes, or null; used for card snapshots too.</summary>
    public static string? ImageMediaType(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Png))
        {
            return "image/png";
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return "image/jpeg";
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }

    /// <summary>
    /// Null when the JSON is not glTF (it stays text); a model when it is glTF with only embedded
    /// (<c>data:</c>) or no uris; a refusal when it is glTF that would fetch other files.
    /// </summary>
    private static SniffResult? CheckGltfJson(Stream content)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("asset", out var asset) ||
                asset.ValueKind != JsonValueKind.Object || !asset.TryGetProperty("version", out var version) ||
                version.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            return HasExternalUri(root)
                ? SniffResult.Refuse("A glTF model must be self-contained: only data: uris are accepted (use GLB or embed buffers and images).")
                : SniffResult.Accept(Model, "model/gltf+json");
        }
    }

    private static bool HasExternalUri(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals("uri") &&
                        (property.Value.ValueKind != JsonValueKind.String || !property.Value.GetString()!.StartsWith("data:", StringComparison.OrdinalIgnoreCase)))
                    {
                        return true;
                    }

                    if (HasExternalUri(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (HasExternalUri(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Valid UTF-8 without NUL; when the probe ends mid-file a cut multi-byte sequence at its end is fine.</summary>
    private static bool IsUtf8Text(ReadOnlySpan<byte> span, bool isComplete)
    {
        if (span.Contains((byte)0))
        {
            return false;
        }

        if (!isComplete)
        {
            // Drop up to 3 trailing bytes of a sequence the probe cut in half.
            var cut = 0;
            for (var i = span.Length - 1; i >= 0 && i >= span.Length - 3 && (span[i] & 0xC0) == 0x80; i--)
            {
                cut++;
            }

            if (cut < span.Length && (span[span.Length - 1 - cut] & 0xC0) == 0xC0)
            {
                cut++;
            }

            span = span[..^cut];
        }

        return Utf8.IsValid(span);
    }

    private static byte FirstSignificantByte(ReadOnlySpan<byte> span)
    {
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0C))
            {
                return b;
            }
        }

        return 0;
    }
}
