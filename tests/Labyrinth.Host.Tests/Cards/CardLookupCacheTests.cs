using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Host.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// The card lookup every per-card request makes (which plugin window, on whose board) is served
/// from memory while the card epoch has not moved. These change the card after the host has
/// served it from memory, through the host or behind its back (the CLI, an operator's SQL shell),
/// and expect the very next request to see the change: a reading of the payload, which the
/// database would not re-check, as well as a write.
/// </summary>
public sealed class CardLookupCacheTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Fact]
    public async Task CachedCard_RemovedFromTheLayout_NotFoundAtOnce()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await WarmCardAsync(owner);
        var layout = Boards.Layout(board);
        layout["windows"] = new JsonArray();
        using (var removed = await Boards.PutLayoutAsync(owner, board, layout))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, removed);
        }

        await ExpectGoneAsync(owner, board, window);
    }

    [Fact]
    public async Task CachedCard_WindowRowDeletedOutsideTheHost_NotFoundAtOnce()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await WarmCardAsync(owner);

        shared.App.RunSql($"DELETE FROM CardWindows WHERE WindowId = '{window.Id()}'");

        await ExpectGoneAsync(owner, board, window);
    }

    [Fact]
    public async Task CachedCard_BoardGivenToSomeoneElseOutsideTheHost_NotFoundAtOnce()
    {
        var owner = await shared.UserAsync();
        var other = await shared.UserAsync();
        var otherName = (await other.GetJsonAsync("/api/auth/me")).GetProperty("userName").GetString();
        var (board, window) = await WarmCardAsync(owner);

        shared.App.RunSql($"UPDATE Boards SET OwnerId = (SELECT Id FROM Users WHERE UserName = '{otherName}') WHERE Id = (SELECT BoardId FROM CardWindows WHERE WindowId = '{window.Id()}')");

        await ExpectGoneAsync(owner, board, window);
    }

    [Fact]
    public async Task CachedCard_BoardDeletedOutsideTheHost_NotFoundAtOnce()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await WarmCardAsync(owner);

        shared.App.RunSql($"DELETE FROM Boards WHERE Id = (SELECT BoardId FROM CardWindows WHERE WindowId = '{window.Id()}')");

        await ExpectGoneAsync(owner, board, window);
    }

    [Fact]
    public async Task CardEpoch_MigratedSchema_IsReadableAndMovesWithEveryCardAndBoardWrite()
    {
        var owner = await shared.UserAsync();
        var epochs = shared.App.Services.GetRequiredService<DataEpochs>();
        var before = await epochs.ReadAsync(CancellationToken.None);
        Assert.NotNull(before); // null would mean a trigger is gone and every card request reads the database

        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var afterSpawn = await epochs.ReadAsync(CancellationToken.None);
        shared.App.RunSql($"UPDATE CardWindows SET TypeId = TypeId WHERE WindowId = '{window.Id()}'");
        var afterUpdate = await epochs.ReadAsync(CancellationToken.None);
        using (var deleted = await owner.DeleteAsync($"/api/boards/{board.Id()}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
        }

        var afterDelete = await epochs.ReadAsync(CancellationToken.None);

        Assert.True(afterSpawn!.Value.Cards > before.Value.Cards, $"spawn: {before} → {afterSpawn}");
        Assert.True(afterUpdate!.Value.Cards > afterSpawn.Value.Cards, $"update: {afterSpawn} → {afterUpdate}");
        Assert.True(afterDelete!.Value.Cards > afterUpdate.Value.Cards, $"board delete: {afterUpdate} → {afterDelete}");
    }

    // A card with a stored state whose lookup the host has made twice (so the second came from memory).
    private static async Task<(JsonElement Board, JsonElement Window)> WarmCardAsync(HttpClient owner)
    {
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";
        using (var put = await owner.PutAsJsonAsync(url, new { payload = new { secret = "kept" } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, put);
        }

        for (var i = 0; i < 2; i++)
        {
            using var get = await owner.GetAsync(url);
            await Expect.StatusAsync(HttpStatusCode.OK, get);
        }

        return (board, window);
    }

    private static async Task ExpectGoneAsync(HttpClient owner, JsonElement board, JsonElement window)
    {
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";
        using var get = await owner.GetAsync(url);
        using var put = await owner.PutAsJsonAsync(url, new { payload = 2 });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", get);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", put);
    }
}
