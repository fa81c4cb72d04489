using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Tests.Cards;

public sealed class SelectionTests(CardsApp shared) : IClassFixture<CardsApp>
{
    private static object Selection(double width = 40, double height = 20, object? strokes = null, string? image = null) => new
    {
        width,
        height,
        strokes = strokes ?? new object[]
        {
            new { points = new[] { new[] { 0.0, 0, 0.5 }, new[] { 40.0, 20, 0.5 } }, color = "currentColor", width = 4 },
            new { points = new[] { new[] { 10.0, 10, 0.25 } }, color = "#3E83F8", width = 2 },
        },
        image = new { mediaType = "image/png", data = image ?? Convert.ToBase64String(CardsApp.Png) },
    };

    private static Task<HttpResponseMessage> ShareAsync(Card card, object body, HttpClient? caller = null) =>
        (caller ?? card.Client).SendJsonAsync(HttpMethod.Put, card.Url("/selection"), body);

    [Fact]
    public async Task Share_ThenGet_ReturnsExactlyTheStrokesAndImage()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var shared1 = await ShareAsync(card, Selection());
        await Expect.StatusAsync(HttpStatusCode.OK, shared1);
        var content = await card.Client.GetJsonAsync(card.Url("/selection"));

        Assert.StartsWith("sel_", content.Id(), StringComparison.Ordinal);
        Assert.Equal(40, content.GetProperty("width").GetDouble());
        var strokes = content.GetProperty("strokes").EnumerateArray().ToArray();
        Assert.Equal(2, strokes.Length);
        Assert.Equal("#3e83f8", strokes[1].GetProperty("color").GetString());
        Assert.Equal([10.0, 10, 0.25], strokes[1].GetProperty("points")[0].EnumerateArray().Select(n => n.GetDouble()));
        Assert.Equal(CardsApp.Png, content.GetProperty("image").GetBytesFromBase64());
    }

    [Fact]
    public async Task Share_ExtraFieldsOnStrokes_AreNotStored()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var strokes = new object[] { new { points = new[] { new[] { 1.0, 1, 0.5 } }, color = "#000000", width = 2, boardId = card.BoardIdText, secret = "board data" } };

        using var response = await ShareAsync(card, Selection(strokes: strokes));

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var stored = (await card.Client.GetJsonAsync(card.Url("/selection"))).GetProperty("strokes")[0];
        Assert.Equal(["points", "color", "width"], stored.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Share_IsListedInPermissionsAndAuditedWithoutTheInk()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await ShareAsync(card, Selection());

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var selection = (await card.PermissionsAsync()).GetProperty("selection");
        Assert.Equal(2, selection.GetProperty("strokeCount").GetInt32());
        Assert.Equal(3, selection.GetProperty("pointCount").GetInt32());
        using var preview = await card.Client.GetAsync(selection.GetProperty("previewUrl").GetString());
        await Expect.StatusAsync(HttpStatusCode.OK, preview);
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", preview.Headers.GetValues("X-Content-Type-Options").Single());
        var audit = await shared.AuditExportAsync();
        var row = audit.Split('\n').Single(l => l.Contains("card.selection_shared", StringComparison.Ordinal) && l.Contains(selection.Id(), StringComparison.Ordinal));
        Assert.Contains(card.WindowId, row, StringComparison.Ordinal);
        Assert.DoesNotContain("currentColor", row, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(CardsApp.Png), row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selection_OtherUsersCard_Answers404LikeAMissingBoard()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var other = await shared.UserAsync();
        using (var first = await ShareAsync(card, Selection()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, first);
        }

        using var share = await ShareAsync(card, Selection(), other);
        using var get = await other.GetAsync(card.Url("/selection"));
        using var image = await other.GetAsync(card.Url("/selection/image"));
        using var revoke = await other.DeleteAsync(card.Url("/selection"));

        foreach (var r in new[] { share, get, image, revoke })
        {
            await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", r);
        }

        await card.Client.GetJsonAsync(card.Url("/selection"));
    }

    [Theory]
    [InlineData(41.5, 0.0, 0.5)]
    [InlineData(0.0, -2.0, 0.5)]
    [InlineData(1.0, 1.0, 2.0)]
    public async Task Share_PointOutsideItsBox_Returns400SelectionInvalid(double x, double y, double p)
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var strokes = new object[] { new { points = new[] { new[] { x, y, p } }, color = "#000000", width = 2 } };

        using var response = await ShareAsync(card, Selection(strokes: strokes));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "selection.invalid", response);
        Assert.Equal(JsonValueKind.Null, (await card.PermissionsAsync()).GetProperty("selection").ValueKind);
    }

    [Fact]
    public async Task Share_ImageThatIsNotAPng_Returns400()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await ShareAsync(card, Selection(image: Convert.ToBase64String("<svg onload=alert(1)>"u8.ToArray())));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "selection.invalid", response);
    }

    [Fact]
    public async Task Share_TooManyStrokes_Returns400SelectionTooLarge()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var strokes = Enumerable.Range(0, 2_001).Select(_ => new { points = new[] { new[] { 1.0, 1, 0.5 } }, color = "#000000", width = 2 }).ToArray();

        using var response = await ShareAsync(card, Selection(strokes: strokes));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "selection.too_large", response);
    }

    [Fact]
    public async Task Share_MorePointsThanACardTakes_Returns400SelectionTooLarge()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var points = Enumerable.Range(0, 5_000).Select(i => new[] { i % 40, 10.0, 0.5 }).ToArray();
        var strokes = Enumerable.Range(0, 11).Select(_ => new { points, color = "#000000", width = 2 }).ToArray();

        using var response = await ShareAsync(card, Selection(strokes: strokes));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "selection.too_large", response);
    }

    [Fact]
    public async Task Revoke_DeletesTheSelectionAndAuditsIt()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var share = await ShareAsync(card, Selection()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, share);
        }

        var id = (await card.PermissionsAsync()).GetProperty("selection").Id();

        using var revoke = await card.Client.DeleteAsync(card.Url("/selection"));

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        using var get = await card.Client.GetAsync(card.Url("/selection"));
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "selection.not_found", get);
        Assert.Equal(JsonValueKind.Null, (await card.PermissionsAsync()).GetProperty("selection").ValueKind);
        Assert.Contains(
            (await shared.AuditExportAsync()).Split('\n'),
            l => l.Contains("card.selection_revoked", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevokeAll_AlsoDeletesTheSelection()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var share = await ShareAsync(card, Selection()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, share);
        }

        using var revoke = await card.Client.DeleteAsync(card.Url("/grants"));

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        Assert.Equal(0, await shared.DbAsync(db => db.SharedSelections.CountAsync(s => s.BoardId == card.BoardId)));
    }

    [Theory]
    [InlineData("/selection")]
    [InlineData("/grants")]
    public async Task Revoke_ClosedCardsPictureShowedTheInk_PictureDeletedToo(string path)
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var share = await ShareAsync(card, Selection()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, share);
        }

        await PutSnapshotAsync(card);

        using var revoke = await card.Client.DeleteAsync(card.Url(path));

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        using var snapshot = await card.Client.GetAsync(SnapshotUrl(card));
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "snapshot.not_found", snapshot);
    }

    [Fact]
    public async Task Revoke_NothingShared_KeepsTheClosedCardsPicture()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        await PutSnapshotAsync(card);

        using var revoke = await card.Client.DeleteAsync(card.Url("/selection"));

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        using var snapshot = await card.Client.GetAsync(SnapshotUrl(card));
        await Expect.StatusAsync(HttpStatusCode.OK, snapshot);
    }

    private static string SnapshotUrl(Card card) => $"/api/cards/{card.BoardIdText}/{card.WindowId}/snapshot";

    private static async Task PutSnapshotAsync(Card card)
    {
        using var put = await card.Client.PutAsJsonAsync(SnapshotUrl(card), new { mediaType = "image/png", data = Convert.ToBase64String(CardsApp.Png) });
        await Expect.StatusAsync(HttpStatusCode.NoContent, put);
    }

    [Fact]
    public async Task RemovingTheCard_DeletesItsSelection()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var share = await ShareAsync(card, Selection()))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, share);
        }

        var layout = Boards.Layout(card.Board);
        layout["windows"] = new System.Text.Json.Nodes.JsonArray();
        using var put = await Boards.PutLayoutAsync(card.Client, card.Board, layout);

        await Expect.StatusAsync(HttpStatusCode.OK, put);
        Assert.Equal(0, await shared.DbAsync(db => db.SharedSelections.CountAsync(s => s.BoardId == card.BoardId)));
    }
}
