using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Host.Features.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

public sealed class OpenCardsTests(CardsApp shared) : IClassFixture<CardsApp>
{
    private static readonly object Plain = new { kind = "plugin", plugin = new { pluginId = CardsApp.PluginId, typeID = "plain" } };

    private static async Task<(JsonElement Board, List<JsonElement> Windows)> SpawnManyAsync(HttpClient client, int count)
    {
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var windows = new List<JsonElement>();
        for (var i = 0; i < count; i++)
        {
            var (after, window) = await Boards.SpawnAsync(client, board, Plain);
            board = after;
            windows.Add(window);
        }

        return (board, windows);
    }

    [Fact]
    public async Task Spawn_PluginCard_IsOpen()
    {
        var client = await shared.UserAsync();

        var (_, windows) = await SpawnManyAsync(client, 1);

        Assert.True(windows[0].GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Spawn_BuiltInWindow_IsNotOpen()
    {
        var client = await shared.UserAsync();

        var (_, window) = await Boards.SpawnAsync(client, await LabyrinthApp.CreateBoardAsync(client), new { kind = "form" });

        Assert.False(window.GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Spawn_EleventhCard_ArrivesClosed()
    {
        var client = await shared.UserAsync();

        var (board, windows) = await SpawnManyAsync(client, 11);

        Assert.All(windows.Take(10), w => Assert.True(w.GetProperty("open").GetBoolean()));
        Assert.False(windows[10].GetProperty("open").GetBoolean());
        Assert.Equal(10, board.GetProperty("windows").EnumerateArray().Count(w => w.GetProperty("open").GetBoolean()));
    }

    [Fact]
    public async Task Layout_ElevenOpenCards_Returns400TooManyOpen()
    {
        var client = await shared.UserAsync();
        var (board, _) = await SpawnManyAsync(client, 11);
        var layout = Boards.Layout(board);
        foreach (var w in layout["windows"]!.AsArray())
        {
            w!["open"] = true;
        }

        using var response = await Boards.PutLayoutAsync(client, board, layout);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "card.too_many_open", response);
        Assert.Contains("close one", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layout_CloseOneOpenAnother_IsStored()
    {
        var client = await shared.UserAsync();
        var (board, windows) = await SpawnManyAsync(client, 11);
        var layout = Boards.Layout(board);
        var list = layout["windows"]!.AsArray();
        list[0]!["open"] = false;
        list[10]!["open"] = true;

        using var response = await Boards.PutLayoutAsync(client, board, layout);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var stored = await client.GetJsonAsync($"/api/boards/{board.Id()}");
        var byId = stored.GetProperty("windows").EnumerateArray().ToDictionary(w => w.Id(), w => w.GetProperty("open").GetBoolean());
        Assert.False(byId[windows[0].Id()]);
        Assert.True(byId[windows[10].Id()]);
    }

    [Fact]
    public async Task Layout_OpenOnBuiltInWindow_IsStoredClosed()
    {
        var client = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(client, await LabyrinthApp.CreateBoardAsync(client), new { kind = "chat" });
        var layout = Boards.Layout(board);
        layout["windows"]![0]!["open"] = true;

        using var response = await Boards.PutLayoutAsync(client, board, layout);

        var saved = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(saved.GetProperty("windows")[0].GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Board_DocumentWithoutOpenFlag_ReadsClosed()
    {
        var client = await shared.UserAsync();
        var (board, _) = await SpawnManyAsync(client, 1);
        var id = Guid.Parse(board.Id());
        await shared.DbAsync(async db =>
        {
            var row = await db.Boards.SingleAsync(b => b.Id == id);
            var doc = JsonNode.Parse(row.DocumentJson)!;
            doc["windows"]![0]!.AsObject().Remove("open");
            row.DocumentJson = doc.ToJsonString();
            return await db.SaveChangesAsync();
        });

        var stored = await client.GetJsonAsync($"/api/boards/{board.Id()}");

        Assert.False(stored.GetProperty("windows")[0].GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Layout_RemovedCard_DeletesPayloadSnapshotGrantsAndAssetGrants()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var keep = await CardsApp.SecondCardAsync(card);
        await GiveEverythingAsync(card);
        var (keptToken, _, _) = await keep.GiveImageAsync();
        var signal = shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "crossCard:pubsub");
        var board = await card.Client.GetJsonAsync($"/api/boards/{card.BoardIdText}");
        var layout = Boards.Layout(board);
        var list = layout["windows"]!.AsArray();
        list.Remove(list.Single(w => w!["id"]!.GetValue<string>() == card.WindowId));

        using var response = await Boards.PutLayoutAsync(card.Client, board, layout);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal((0, 0, 0, 0), await RowsAsync(card));
        Assert.True(signal.IsCancellationRequested);
        using var keptRead = await keep.ReadAsync(keptToken);
        await Expect.StatusAsync(HttpStatusCode.OK, keptRead);
    }

    [Fact]
    public async Task DeleteBoard_DeletesEveryCardsRows()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        await GiveEverythingAsync(card);
        var signal = shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "crossCard:pubsub");

        using var response = await card.Client.DeleteAsync($"/api/boards/{card.BoardIdText}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Equal((0, 0, 0, 0), await RowsAsync(card));
        Assert.True(signal.IsCancellationRequested);
    }

    [Fact]
    public async Task Layout_StaleVersion_KeepsRemovedCardsRows()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        await GiveEverythingAsync(card);
        var board = await card.Client.GetJsonAsync($"/api/boards/{card.BoardIdText}");
        var layout = Boards.Layout(board);
        layout["windows"] = new JsonArray();
        var stale = JsonDocument.Parse(board.GetRawText().Replace($"\"version\":{board.GetProperty("version").GetInt64()}", "\"version\":1", StringComparison.Ordinal)).RootElement;

        using var response = await Boards.PutLayoutAsync(card.Client, stale, layout);

        await Expect.StatusAsync(HttpStatusCode.PreconditionFailed, response);
        Assert.Equal((1, 1, 2, 1), await RowsAsync(card));
    }

    private static async Task GiveEverythingAsync(Card card)
    {
        using (var payload = await card.Client.PutAsJsonAsync($"/api/cards/{card.BoardIdText}/{card.WindowId}/payload", new { payload = new { n = 1 } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, payload);
        }

        using (var snapshot = await card.Client.PutAsJsonAsync($"/api/cards/{card.BoardIdText}/{card.WindowId}/snapshot", new { mediaType = "image/png", data = Convert.ToBase64String(CardsApp.Png) }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, snapshot);
        }

        using (var grant = await card.GrantAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, grant);
        }

        await card.GiveImageAsync();
    }

    private Task<(int Payloads, int Snapshots, int Grants, int AssetGrants)> RowsAsync(Card card) =>
        shared.DbAsync(async db => (
            await db.CardPayloads.CountAsync(p => p.BoardId == card.BoardId && p.WindowId == card.WindowId),
            await db.CardSnapshots.CountAsync(p => p.BoardId == card.BoardId && p.WindowId == card.WindowId),
            await db.CardGrants.CountAsync(p => p.BoardId == card.BoardId && p.WindowId == card.WindowId),
            await db.AssetGrants.CountAsync(p => p.BoardId == card.BoardId && p.WindowId == card.WindowId)));
}
