using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Cards;

public sealed class SnapshotTests(CardsApp shared) : IClassFixture<CardsApp>
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46];

    private static string Url(Card card) => $"/api/cards/{card.BoardIdText}/{card.WindowId}/snapshot";

    [Fact]
    public async Task Snapshot_PutPng_GetReturnsBytesWithSandboxHeaders()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var put = await card.Client.PutAsJsonAsync(Url(card), new { mediaType = "image/png", data = Convert.ToBase64String(CardsApp.Png) });
        using var get = await card.Client.GetAsync(Url(card));

        await Expect.StatusAsync(HttpStatusCode.NoContent, put);
        await Expect.StatusAsync(HttpStatusCode.OK, get);
        Assert.Equal(CardsApp.Png, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", get.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", get.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", get.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(get.Headers.CacheControl is { Private: true, NoCache: true }, "Cache-Control: " + get.Headers.CacheControl);
        Assert.NotNull(get.Headers.ETag);
    }

    [Fact]
    public async Task Snapshot_IfNoneMatch_Returns304()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var put = await card.Client.PutAsJsonAsync(Url(card), new { mediaType = "image/jpeg", data = Convert.ToBase64String(Jpeg) }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, put);
        }

        using var first = await card.Client.GetAsync(Url(card));
        var request = new HttpRequestMessage(HttpMethod.Get, Url(card));
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await card.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Snapshot_None_Returns404()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.Client.GetAsync(Url(card));

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "snapshot.not_found", response);
    }

    [Fact]
    public async Task Snapshot_Over200KB_Returns413()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var big = new byte[(200 * 1024) + 1];
        CardsApp.Png.CopyTo(big, 0);

        using var response = await card.Client.PutAsJsonAsync(Url(card), new { mediaType = "image/png", data = Convert.ToBase64String(big) });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "snapshot.too_large", response);
    }

    [Fact]
    public async Task Snapshot_HugeBody_Returns413()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.Client.PutAsJsonAsync(Url(card), new { mediaType = "image/png", data = new string('A', 2_000_000) });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "snapshot.too_large", response);
    }

    [Theory]
    [InlineData("image/jpeg", "png")]
    [InlineData("image/png", "svg")]
    [InlineData("image/svg+xml", "svg")]
    [InlineData("text/html", "png")]
    [InlineData("image/gif", "gif")]
    public async Task Snapshot_TypeMismatchOrNotAllowed_Returns400(string mediaType, string content)
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        byte[] bytes = content switch
        {
            "png" => CardsApp.Png,
            "gif" => "GIF89a\u0001\0\u0001\0"u8.ToArray(),
            _ => "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(),
        };

        using var response = await card.Client.PutAsJsonAsync(Url(card), new { mediaType, data = Convert.ToBase64String(bytes) });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "snapshot.invalid", response);
    }

    [Fact]
    public async Task Snapshot_NotBase64_Returns400()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.Client.PutAsJsonAsync(Url(card), new { mediaType = "image/png", data = "%%%not-base64%%%" });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "snapshot.invalid", response);
    }

    [Fact]
    public async Task Snapshot_OtherUsersCard_Returns404AndStoresNothing()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var intruder = await shared.UserAsync();

        using var put = await intruder.PutAsJsonAsync(Url(card), new { mediaType = "image/png", data = Convert.ToBase64String(CardsApp.Png) });
        using var get = await card.Client.GetAsync(Url(card));

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", put);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "snapshot.not_found", get);
    }
}
