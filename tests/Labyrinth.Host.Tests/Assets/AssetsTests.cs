using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Infrastructure;
using Labyrinth.Host.Tests.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Assets;

public sealed class AssetsTests(CardsApp shared) : IClassFixture<CardsApp>
{
    [Fact]
    public async Task Upload_Png_IsStoredAsImageFromMagicBytes()
    {
        var client = await shared.UserAsync();

        var asset = await CardsApp.UploadAsync(client, CardsApp.Png, "holiday.txt");

        Assert.Equal("image", asset.GetProperty("type").GetString());
        Assert.Equal("image/png", asset.GetProperty("mediaType").GetString());
        Assert.Equal(CardsApp.Png.Length, asset.GetProperty("bytes").GetInt64());
        Assert.Equal("holiday.txt", asset.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>", "cat.png")]
    [InlineData("<!doctype html><script>fetch('/api/boards')</script>", "page.png")]
    [InlineData("<?xml version=\"1.0\"?><x/>", "data.txt")]
    public async Task Upload_Markup_IsRefusedWhateverItsName(string content, string name)
    {
        var client = await shared.UserAsync();

        using var response = await CardsApp.UploadRawAsync(client, Encoding.UTF8.GetBytes(content), name);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "asset.type_unknown", response);
        Assert.Empty((await client.GetJsonAsync("/api/assets")).EnumerateArray());
    }

    [Fact]
    public async Task Upload_OverCap_Returns413()
    {
        var client = await shared.UserAsync();

        using var response = await CardsApp.UploadRawAsync(client, new byte[CardsApp.MaxAssetBytes + 1], "big.bin");

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "asset.too_large", response);
    }

    [Fact]
    public async Task Upload_EndlessChunkedBody_Returns413WithoutReadingItAll()
    {
        var client = await shared.UserAsync();
        var body = new EndlessStream(limit: 512L * 1024 * 1024);
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.PostAsync("/api/assets?name=bomb.png", content);

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "asset.too_large", response);
        Assert.True(body.Consumed < 16L * 1024 * 1024, $"The host read {body.Consumed} bytes of a body it should have refused after {CardsApp.MaxAssetBytes}.");
    }

    [Fact]
    public async Task Upload_SameBytesTwice_SharesOneFile()
    {
        var client = await shared.UserAsync();
        var other = await shared.UserAsync();
        var bytes = Encoding.UTF8.GetBytes("shared text " + Guid.NewGuid());

        var first = await CardsApp.UploadAsync(client, bytes, "a.txt");
        var second = await CardsApp.UploadAsync(other, bytes, "b.txt");

        Assert.NotEqual(first.Id(), second.Id());
        var hashes = await shared.DbAsync(db => db.Assets.Where(a => a.Id == Guid.Parse(first.Id()) || a.Id == Guid.Parse(second.Id())).Select(a => a.Sha256).ToListAsync());
        Assert.Single(hashes.Distinct());
        var files = Directory.GetFiles(Path.Combine(DataDir(), "assets"), hashes[0], SearchOption.AllDirectories);
        Assert.Single(files);
    }

    [Theory]
    [InlineData("../../etc/passwd.txt", "passwd.txt")]
    [InlineData("..\\..\\windows\\notes.txt", "notes.txt")]
    [InlineData("evil\u0007name\r\n\u2066.txt", "evilname.txt")]
    [InlineData("/abs/path/file.txt", "file.txt")]
    public async Task Upload_PathLikeName_IsSanitised(string name, string expected)
    {
        var client = await shared.UserAsync();

        var asset = await CardsApp.UploadAsync(client, Encoding.UTF8.GetBytes("hello"), name);

        Assert.Equal(expected, asset.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("../")]
    [InlineData("\u0001\u0002")]
    public async Task Upload_NoUsableName_Returns400(string name)
    {
        var client = await shared.UserAsync();

        using var response = await CardsApp.UploadRawAsync(client, Encoding.UTF8.GetBytes("hello"), name);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "asset.name_invalid", response);
    }

    [Fact]
    public async Task Upload_NameOver200Characters_Returns400()
    {
        var client = await shared.UserAsync();

        using var response = await CardsApp.UploadRawAsync(client, Encoding.UTF8.GetBytes("hello"), new string('n', 201) + ".txt");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "asset.name_invalid", response);
    }

    [Fact]
    public async Task List_OwnAssetsOnly_FilteredByType()
    {
        var client = await shared.UserAsync();
        var other = await shared.UserAsync();
        await CardsApp.UploadAsync(client, CardsApp.Png, "p.png");
        await CardsApp.UploadAsync(client, Encoding.UTF8.GetBytes("text"), "t.txt");
        await CardsApp.UploadAsync(other, Encoding.UTF8.GetBytes("theirs"), "o.txt");

        var all = await client.GetJsonAsync("/api/assets");
        var images = await client.GetJsonAsync("/api/assets?type=image");

        Assert.Equal(2, all.GetArrayLength());
        Assert.Equal(["p.png"], images.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Content_Image_IsServedAsItsTypeInASandbox()
    {
        var client = await shared.UserAsync();
        var asset = await CardsApp.UploadAsync(client, CardsApp.Png);

        using var response = await client.GetAsync(asset.GetProperty("previewUrl").GetString());

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(CardsApp.Png, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Content_Text_IsAnAttachment()
    {
        var client = await shared.UserAsync();
        var asset = await CardsApp.UploadAsync(client, Encoding.UTF8.GetBytes("notes"), "n.txt");

        using var response = await client.GetAsync($"/api/assets/{asset.Id()}/content");

        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
    }

    [Fact]
    public async Task Content_OtherUsersAsset_Returns404()
    {
        var asset = await CardsApp.UploadAsync(await shared.UserAsync(), CardsApp.Png);
        var intruder = await shared.UserAsync();

        using var content = await intruder.GetAsync($"/api/assets/{asset.Id()}/content");
        using var delete = await intruder.DeleteAsync($"/api/assets/{asset.Id()}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.not_found", content);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.not_found", delete);
        Assert.True(await shared.DbAsync(db => db.Assets.AnyAsync(a => a.Id == Guid.Parse(asset.Id()))));
    }

    [Fact]
    public async Task Delete_LastReference_RemovesFileAndKillsTokens()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var bytes = Encoding.UTF8.GetBytes("unique " + Guid.NewGuid());
        var asset = await CardsApp.UploadAsync(card.Client, bytes, "u.txt");
        using var granted = await card.GrantAssetAsync(asset.Id());
        var token = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var sha = await shared.DbAsync(db => db.Assets.Where(a => a.Id == Guid.Parse(asset.Id())).Select(a => a.Sha256).SingleAsync());

        using var delete = await card.Client.DeleteAsync($"/api/assets/{asset.Id()}");
        using var read = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", read);
        Assert.Empty(Directory.GetFiles(Path.Combine(DataDir(), "assets"), sha, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Delete_SharedBytes_KeepsFileForTheOtherAsset()
    {
        var client = await shared.UserAsync();
        var bytes = Encoding.UTF8.GetBytes("twice " + Guid.NewGuid());
        var first = await CardsApp.UploadAsync(client, bytes, "1.txt");
        var second = await CardsApp.UploadAsync(client, bytes, "2.txt");

        using var delete = await client.DeleteAsync($"/api/assets/{first.Id()}");
        using var content = await client.GetAsync($"/api/assets/{second.Id()}/content");

        await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upload_Audit_RecordsUploadWithoutTheBytes()
    {
        var client = await shared.UserAsync();
        var secretText = "do-not-log-" + Guid.NewGuid();

        var asset = await CardsApp.UploadAsync(client, Encoding.UTF8.GetBytes(secretText), "s.txt");

        var audit = await shared.AuditExportAsync();
        Assert.Contains(audit.Split('\n'), l => l.Contains("asset.upload", StringComparison.Ordinal) && l.Contains(asset.Id(), StringComparison.Ordinal));
        Assert.DoesNotContain(secretText, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_GltfWithExternalUri_IsRefused()
    {
        var client = await shared.UserAsync();
        var gltf = Encoding.UTF8.GetBytes("{\"asset\":{\"version\":\"2.0\"},\"buffers\":[{\"uri\":\"https://tracker.example/b.bin\",\"byteLength\":4}]}");

        using var response = await CardsApp.UploadRawAsync(client, gltf, "model.gltf");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "asset.type_unknown", response);
    }

    [Fact]
    public async Task Upload_Glb_IsA3dModel()
    {
        var client = await shared.UserAsync();
        byte[] glb = [(byte)'g', (byte)'l', (byte)'T', (byte)'F', 2, 0, 0, 0, 12, 0, 0, 0];

        var asset = await CardsApp.UploadAsync(client, glb, "m.glb");

        Assert.Equal("3d-model", asset.GetProperty("type").GetString());
        Assert.Equal("model/gltf-binary", asset.GetProperty("mediaType").GetString());
    }

    [Fact]
    public async Task Upload_FormContentType_Refused415AndNothingStored()
    {
        // A type a cross-site form can send never reaches the upload, header or not.
        var client = await shared.UserAsync();
        var content = new ByteArrayContent(CardsApp.Png);
        content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");

        using var response = await client.PostAsync("/api/assets?name=a.png", content);

        await Expect.ProblemAsync(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type", response);
        Assert.Empty((await client.GetJsonAsync("/api/assets")).EnumerateArray());
    }

    [Fact]
    public async Task List_UnknownType_Returns400()
    {
        var client = await shared.UserAsync();

        using var response = await client.GetAsync("/api/assets?type=svg");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
    }

    private string DataDir() => shared.App.Services.GetRequiredService<HostPaths>().DataDir;

    /// <summary>Generates zeros after a PNG header until <paramref name="limit"/>, counting what the server pulled.</summary>
    private sealed class EndlessStream(long limit) : Stream
    {
        public long Consumed { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Consumed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, limit - Consumed);
            if (n <= 0)
            {
                return 0;
            }

            Array.Clear(buffer, offset, n);
            if (Consumed == 0 && n >= CardsApp.Png.Length)
            {
                CardsApp.Png.CopyTo(buffer, offset);
            }

            Consumed += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
