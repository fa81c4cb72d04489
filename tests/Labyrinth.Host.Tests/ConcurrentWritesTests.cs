using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Card writes under concurrent writers: no acknowledged write is lost, each gets its own version,
/// optimistic concurrency on boards still refuses stale versions, and the card index stays in step
/// with the board document.
/// </summary>
public sealed class ConcurrentWritesTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Fact]
    public async Task PayloadPut_SixteenConcurrentWriters_EveryAcknowledgedWriteGetsItsOwnVersionAndTheLastIsStored()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";
        const int Writers = 16, Each = 8;

        var acks = await Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
        {
            var mine = new List<(long Version, string Value)>();
            for (var i = 0; i < Each; i++)
            {
                var value = $"w{w}-{i}";
                using var response = await owner.PutAsJsonAsync(url, new { payload = new { value } });
                await Expect.StatusAsync(HttpStatusCode.OK, response);
                mine.Add(((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64(), value));
            }

            return mine;
        }));

        var all = acks.SelectMany(a => a).ToList();
        Assert.Equal(Enumerable.Range(1, Writers * Each).Select(v => (long)v), all.Select(a => a.Version).Order());
        var stored = await owner.GetJsonAsync(url);
        var last = all.MaxBy(a => a.Version);
        Assert.Equal(last.Version, stored.GetProperty("version").GetInt64());
        Assert.Equal(last.Value, stored.GetProperty("payload").GetProperty("value").GetString());
    }

    [Fact]
    public async Task LayoutPut_ConcurrentWritersFromTheSameVersion_ExactlyOneWinsTheRestGet412()
    {
        var owner = await shared.UserAsync();
        var (board, _) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var layout = Boards.Layout(board);
            layout["windows"]![0]!["x"] = 1000 + i;
            return await Boards.PutLayoutAsync(owner, board, layout);
        }));

        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
            var stored = await owner.GetJsonAsync($"/api/boards/{board.Id()}");
            Assert.Equal(board.GetProperty("version").GetInt64() + 1, stored.GetProperty("version").GetInt64());
        }
        finally
        {
            foreach (var r in responses)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task PayloadPut_AfterTheCardWasRemovedFromTheLayout_Returns404CardNotFound()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var layout = Boards.Layout(board);
        layout["windows"] = new JsonArray();
        using (var removed = await Boards.PutLayoutAsync(owner, board, layout))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, removed);
        }

        using var put = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = 1 });
        using var get = await owner.GetAsync($"/api/cards/{board.Id()}/{window.Id()}/payload");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", put);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", get);
    }

    [Fact]
    public async Task PayloadPut_AfterTheBoardWasDeleted_Returns404CardNotFound()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        using (var deleted = await owner.DeleteAsync($"/api/boards/{board.Id()}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
        }

        using var put = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = 1 });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", put);
    }
}
