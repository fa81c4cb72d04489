using System.Text;
using Labyrinth.Core.Assets;

namespace Labyrinth.Core.Tests.Assets;

public sealed class AssetSnifferTests
{
    private static readonly byte[] PngHeader = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    public static TheoryData<string, byte[], string, string> Accepted() => new()
    {
        { "png", PngHeader, "image", "image/png" },
        { "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F'], "image", "image/jpeg" },
        { "gif87", Ascii("GIF87a\x01\0\x01\0"), "image", "image/gif" },
        { "gif89", Ascii("GIF89a\x01\0\x01\0"), "image", "image/gif" },
        { "webp", [.. Ascii("RIFF"), 30, 0, 0, 0, .. Ascii("WEBPVP8 ")], "image", "image/webp" },
        { "pdf", Ascii("%PDF-1.7\n%\xE2\xE3\n1 0 obj"), "pdf", "application/pdf" },
        { "glb v2", [.. Ascii("glTF"), 2, 0, 0, 0, 20, 0, 0, 0], "3d-model", "model/gltf-binary" },
        { "gltf json embedded", Utf8("{\"asset\":{\"version\":\"2.0\"},\"buffers\":[{\"uri\":\"data:application/octet-stream;base64,AAAA\",\"byteLength\":3}]}"), "3d-model", "model/gltf+json" },
        { "gltf json no uris", Utf8(" {\"asset\":{\"version\":\"2.0\"},\"nodes\":[]}"), "3d-model", "model/gltf+json" },
        { "plain text", Utf8("Shopping list\n- milk\n- eggs\n"), "text", "text/plain; charset=utf-8" },
        { "utf-8 text", Utf8("Grüße, 東京 🚀"), "text", "text/plain; charset=utf-8" },
        { "json not gltf", Utf8("{\"name\":\"notes\"}"), "text", "text/plain; charset=utf-8" },
        { "png polyglot with html", [.. PngHeader, .. Utf8("<html><script>alert(1)</script></html>")], "image", "image/png" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Sniff_KnownFormat_ReturnsTypeFromMagicBytes(string label, byte[] bytes, string type, string mediaType)
    {
        var result = AssetSniffer.Sniff(new MemoryStream(bytes));

        Assert.True(result.Kind is not null, label + ": " + result.Refusal);
        Assert.Equal(type, result.Kind!.Type);
        Assert.Equal(mediaType, result.Kind.MediaType);
    }

    public static TheoryData<string, byte[]> Refused() => new()
    {
        { "svg", Utf8("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>") },
        { "svg with xml prolog", Utf8("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>") },
        { "svg after bom and spaces", [0xEF, 0xBB, 0xBF, .. Utf8("  \n<svg/>")] },
        { "html", Utf8("<!doctype html><html><body onload=alert(1)></body></html>") },
        { "html lower", Utf8("<html><script>fetch('/api/boards')</script>") },
        { "xml", Utf8("<?xml version=\"1.0\"?><root/>") },
        { "binary with nul", [1, 2, 3, 0, 5, 6] },
        { "invalid utf-8", [0x48, 0x69, 0xC3, 0x28, 0x21] },
        { "empty", [] },
        { "glb v1", [.. Ascii("glTF"), 1, 0, 0, 0, 20, 0, 0, 0] },
        { "gltf external buffer", Utf8("{\"asset\":{\"version\":\"2.0\"},\"buffers\":[{\"uri\":\"model.bin\",\"byteLength\":3}]}") },
        { "gltf remote image", Utf8("{\"asset\":{\"version\":\"2.0\"},\"images\":[{\"uri\":\"https://evil.example/t.png\"}]}") },
        { "gltf file uri", Utf8("{\"asset\":{\"version\":\"2.0\"},\"images\":[{\"uri\":\"file:///etc/passwd\"}]}") },
        { "zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] },
        { "elf", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Sniff_UnacceptedContent_IsRefusedWithReason(string label, byte[] bytes)
    {
        var result = AssetSniffer.Sniff(new MemoryStream(bytes));

        Assert.True(result.Kind is null, label + " was accepted as " + result.Kind?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(result.Refusal));
    }

    [Fact]
    public void Sniff_TextLongerThanProbeCutMidCharacter_IsText()
    {
        // "é" is two bytes; an odd prefix puts one of them on each side of the 64 KiB probe.
        var bytes = Utf8("a" + string.Concat(Enumerable.Repeat("é", AssetSniffer.TextProbeBytes)));

        var result = AssetSniffer.Sniff(new MemoryStream(bytes));

        Assert.Equal("text", result.Kind?.Type);
    }

    [Fact]
    public void Sniff_NulAfterProbe_IsStillText()
    {
        var bytes = new byte[AssetSniffer.TextProbeBytes + 10];
        bytes.AsSpan(0, AssetSniffer.TextProbeBytes).Fill((byte)'x');

        var result = AssetSniffer.Sniff(new MemoryStream(bytes));

        Assert.Equal("text", result.Kind?.Type);
    }

    [Fact]
    public void Sniff_SvgContent_RefusalNamesMarkup()
    {
        var result = AssetSniffer.Sniff(new MemoryStream(Utf8("<svg/>")));

        Assert.Contains("SVG", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Sniff_SampleModelTheAssetsPageOffers_IsAGlbModel()
    {
        // web/public/samples/labyrinth-knot.glb, written by plugins/model-viewer/scripts/make-sample.mjs.
        var path = Path.Combine(Themes.ThemeCatalogTests.RepoRoot(), "web", "public", "samples", "labyrinth-knot.glb");
        using var file = File.OpenRead(path);

        var result = AssetSniffer.Sniff(file);

        Assert.Equal(new AssetKind(AssetSniffer.Model, "model/gltf-binary"), result.Kind);
        Assert.True(file.Length <= 100 * 1024, $"the sample is {file.Length} bytes; keep it at most 100 KB");
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDB }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, null)]
    [InlineData(new byte[] { 0x3C, 0x73, 0x76, 0x67 }, null)]
    public void ImageMediaType_Header_MatchesMagicBytesOnly(byte[] head, string? expected) =>
        Assert.Equal(expected, AssetSniffer.ImageMediaType(head));

    private static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
