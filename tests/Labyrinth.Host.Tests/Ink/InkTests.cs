using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Core.Ink;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Ink;

/// <summary>One host without plugins for the ink tests; each test signs in as a user of its own.</summary>
public sealed class InkApp : IAsyncLifetime
{
    private HttpClient admin = null!;

    internal LabyrinthApp App { get; } = new(new Dictionary<string, string?>
    {
        ["Labyrinth:LoginAttemptsPerMinute"] = "100000",
        ["Labyrinth:ExamplePluginsDir"] = "",
    });

    public async ValueTask InitializeAsync() => admin = await App.SetupAdminAsync();

    internal Task<HttpClient> UserAsync() => App.CreateMemberAsync("u" + Guid.NewGuid().ToString("N")[..16], admin);

    internal async Task<T> DbAsync<T>(Func<LabyrinthDb, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<LabyrinthDb>());
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await App.DisposeAsync();
    }
}

public sealed class InkTests(InkApp shared) : IClassFixture<InkApp>
{
    private static int next;

    private static string NewId() => "stroke-" + Interlocked.Increment(ref next).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..8];

    private static object Stroke(string id, double x = 10, double y = 20, int points = 3, string color = "currentColor", double width = 4) => new
    {
        id,
        points = Enumerable.Range(0, points).SelectMany(i => new[] { x + i, y + (i * 0.5), 0.5 }).ToArray(),
        color,
        width,
    };

    private static string Url(JsonElement board, string rest = "") => $"/api/boards/{board.Id()}/strokes{rest}";

    private static async Task AddAsync(HttpClient client, JsonElement board, params object[] strokes)
    {
        using var response = await client.PostAsJsonAsync(Url(board), new { strokes });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    private static async Task<JsonElement> EraseAsync(HttpClient client, JsonElement board, params string[] ids)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Delete, Url(board), new { ids });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> RestoreAsync(HttpClient client, JsonElement board, string erasure, params string[] ids) =>
        client.PostAsJsonAsync(Url(board, "/restore"), new { erasure, ids });

    private static async Task<string[]> LiveIdsAsync(HttpClient client, JsonElement board) =>
        (await client.GetJsonAsync(Url(board))).GetProperty("strokes").EnumerateArray().Select(s => s.Id()).ToArray();

    [Fact]
    public async Task Add_ThenGet_ReturnsStrokesInDrawingOrderWithTheirPoints()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b) = (NewId(), NewId());

        await AddAsync(client, board, Stroke(a, x: 100.3, y: -50.7, color: "#E5484D", width: 2.5), Stroke(b));
        var ink = await client.GetJsonAsync(Url(board));

        var strokes = ink.GetProperty("strokes").EnumerateArray().ToArray();
        Assert.Equal([a, b], strokes.Select(s => s.Id()));
        Assert.Equal("#e5484d", strokes[0].GetProperty("color").GetString());
        Assert.Equal(2.5, strokes[0].GetProperty("width").GetDouble());
        var points = StrokeCodec.Decode(strokes[0].GetProperty("points").GetBytesFromBase64());
        Assert.Equal(9, points.Length);
        // Stored in steps of 1/16 unit: within half a step of what was drawn.
        Assert.Equal(101.3, points[3], 0.04);
        Assert.Equal(-50.2, points[4], 0.04);
        Assert.Equal(0.5, points[5], 0.01);
        Assert.Equal(InkRules.MaxPointsPerStroke, ink.GetProperty("limits").GetProperty("maxPointsPerStroke").GetInt32());
    }

    [Fact]
    public async Task Strokes_OtherUsersBoard_Answer404LikeAMissingBoard()
    {
        var owner = await shared.UserAsync();
        var other = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(owner);
        var id = NewId();
        await AddAsync(owner, board, Stroke(id));

        using var get = await other.GetAsync(Url(board));
        using var add = await other.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(NewId()) } });
        using var erase = await other.SendJsonAsync(HttpMethod.Delete, Url(board), new { ids = new[] { id } });
        using var restore = await RestoreAsync(other, board, "e_x", id);

        foreach (var response in new[] { get, add, erase, restore })
        {
            await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        }

        Assert.Equal([id], await LiveIdsAsync(owner, board));
    }

    [Fact]
    public async Task Add_StrokeOverThePointLimit_Returns400TooManyPointsAndStoresNothing()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(NewId()), Stroke(NewId(), points: InkRules.MaxPointsPerStroke + 1) } });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "ink.too_many_points", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("strokes[1].points", out _));
        Assert.Empty(await LiveIdsAsync(client, board));
    }

    [Theory]
    [InlineData("[1e7, 0, 0.5]")]
    [InlineData("[0, -1000001, 0.5]")]
    [InlineData("[0, 0, 1.5]")]
    [InlineData("[0, 0]")]
    [InlineData("[]")]
    public async Task Add_PointsOutOfBoundsOrMalformed_Returns400InvalidStroke(string points)
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var body = $$"""{"strokes":[{"id":"{{NewId()}}","points":{{points}},"color":"#000000","width":2}]}""";

        using var response = await client.PostAsync(Url(board), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "ink.invalid_stroke", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("strokes[0].points", out _));
    }

    [Fact]
    public async Task Add_NonFiniteNumber_Returns400InvalidStroke()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var body = $$"""{"strokes":[{"id":"{{NewId()}}","points":[1e400,0,0.5],"color":"#000000","width":2}]}""";

        using var response = await client.PostAsync(Url(board), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "ink.invalid_stroke", response);
    }

    [Theory]
    [InlineData("red", 2)]
    [InlineData("#12345", 2)]
    [InlineData("url(javascript:1)", 2)]
    [InlineData("#000000", 0)]
    [InlineData("#000000", 65)]
    public async Task Add_BadColourOrWidth_Returns400InvalidStroke(string color, double width)
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(NewId(), color: color, width: width) } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "ink.invalid_stroke", response);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has space 12345")]
    [InlineData("../../etc/passwd")]
    public async Task Add_BadStrokeId_Returns400InvalidStroke(string id)
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(id) } });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "ink.invalid_stroke", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("strokes[0].id", out _));
    }

    [Fact]
    public async Task Add_MoreStrokesThanABatchHolds_Returns413BatchTooLarge()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var strokes = Enumerable.Range(0, InkRules.MaxStrokesPerBatch + 1).Select(_ => Stroke(NewId(), points: 1)).ToArray();

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "ink.batch_too_large", response);
    }

    [Fact]
    public async Task Add_BodyOverTheByteCap_Returns413BatchTooLarge()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var body = "{\"strokes\":[" + new string(' ', InkRules.MaxBatchBytes) + "]}";

        using var response = await client.PostAsync(Url(board), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "ink.batch_too_large", response);
    }

    [Fact]
    public async Task Add_IdAlreadyOnTheBoard_Returns409StrokeExistsEvenWhenErased()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var id = NewId();
        await AddAsync(client, board, Stroke(id));
        await EraseAsync(client, board, id);

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(NewId()), Stroke(id) } });

        var problem = await Expect.ProblemAsync(HttpStatusCode.Conflict, "ink.stroke_exists", response);
        Assert.Equal([id], problem.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Empty(await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Add_PastTheBoardLimit_Returns409BoardFullAndStoresNothing()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        await AddAsync(client, board, Stroke(NewId()));
        var boardId = Guid.Parse(board.Id());
        // Reaching 50,000 strokes through the API would take minutes; the count is what the limit reads.
        await shared.DbAsync(db => db.InkBoards.Where(i => i.BoardId == boardId).ExecuteUpdateAsync(u => u.SetProperty(i => i.LiveStrokes, InkRules.MaxStrokesPerBoard - 1)));

        using var response = await client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(NewId()), Stroke(NewId()) } });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "ink.board_full", response);
        Assert.Single(await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Erase_ThenRestoreWithItsErasure_BringsTheStrokesBackInTheirPlace()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b, c) = (NewId(), NewId(), NewId());
        await AddAsync(client, board, Stroke(a), Stroke(b), Stroke(c));

        var erased = await EraseAsync(client, board, a, b);
        Assert.Equal([c], await LiveIdsAsync(client, board));
        using var restore = await RestoreAsync(client, board, erased.GetProperty("erasure").GetString()!, a, b);

        await Expect.StatusAsync(HttpStatusCode.OK, restore);
        Assert.Equal([a, b, c], await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Erase_StrokeAlreadyErasedOrUnknown_ErasesTheRestAndReportsThemMissing()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b) = (NewId(), NewId());
        await AddAsync(client, board, Stroke(a), Stroke(b));
        await EraseAsync(client, board, a);

        var second = await EraseAsync(client, board, a, b, "never-drawn-1");

        Assert.Equal([b], second.GetProperty("erased").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal([a, "never-drawn-1"], second.GetProperty("missing").EnumerateArray().Select(i => i.GetString()));
        Assert.Empty(await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Restore_StrokeErasedAgainByAnotherErase_Returns409AndRestoresNothing()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b) = (NewId(), NewId());
        await AddAsync(client, board, Stroke(a), Stroke(b));
        var first = (await EraseAsync(client, board, a, b)).GetProperty("erasure").GetString()!;
        using (var undo = await RestoreAsync(client, board, first, a, b))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, undo);
        }

        // Another tab erases b again; the first tab's stale undo must not bring it back.
        await EraseAsync(client, board, b);
        await EraseAsync(client, board, a);
        using var stale = await RestoreAsync(client, board, first, a, b);

        var problem = await Expect.ProblemAsync(HttpStatusCode.Conflict, "ink.stroke_conflict", stale);
        Assert.Equal([a, b], problem.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Empty(await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Restore_LiveStroke_Returns409()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b) = (NewId(), NewId());
        await AddAsync(client, board, Stroke(a), Stroke(b));
        var erasure = (await EraseAsync(client, board, a)).GetProperty("erasure").GetString()!;

        using var response = await RestoreAsync(client, board, erasure, a, b);

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "ink.stroke_conflict", response);
        Assert.Equal([b], await LiveIdsAsync(client, board));
    }

    [Fact]
    public async Task Erase_MoreIdsThanABatchHolds_Returns413()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var ids = Enumerable.Range(0, InkRules.MaxIdsPerBatch + 1).Select(_ => NewId()).ToArray();

        using var response = await client.SendJsonAsync(HttpMethod.Delete, Url(board), new { ids });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "ink.batch_too_large", response);
    }

    [Fact]
    public async Task Get_WithTheCurrentRevision_Returns304UntilAStrokeChanges()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var id = NewId();
        await AddAsync(client, board, Stroke(id));
        using var first = await client.GetAsync(Url(board));
        var etag = first.Headers.ETag!.Tag;

        using var again = new HttpRequestMessage(HttpMethod.Get, Url(board)) { Headers = { { "If-None-Match", etag } } };
        using var same = await client.SendAsync(again);
        await EraseAsync(client, board, id);
        using var after = new HttpRequestMessage(HttpMethod.Get, Url(board)) { Headers = { { "If-None-Match", etag } } };
        using var changed = await client.SendAsync(after);

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task Get_AfterEachChange_AnswersTheNewStrokesNotACachedCopy()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (a, b) = (NewId(), NewId());
        await AddAsync(client, board, Stroke(a));
        Assert.Equal([a], await LiveIdsAsync(client, board));

        await AddAsync(client, board, Stroke(b));
        var afterAdd = await LiveIdsAsync(client, board);
        await EraseAsync(client, board, a);
        var afterErase = await LiveIdsAsync(client, board);

        Assert.Equal([a, b], afterAdd);
        Assert.Equal([b], afterErase);
    }

    [Fact]
    public async Task Add_ConcurrentBatches_AllLandWithDistinctOrder()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var ids = Enumerable.Range(0, 8).Select(_ => NewId()).ToArray();

        var responses = await Task.WhenAll(ids.Select(id => client.PostAsJsonAsync(Url(board), new { strokes = new[] { Stroke(id) } })));

        foreach (var r in responses)
        {
            await Expect.StatusAsync(HttpStatusCode.OK, r);
            r.Dispose();
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), (await LiveIdsAsync(client, board)).Order(StringComparer.Ordinal));
        var boardId = Guid.Parse(board.Id());
        Assert.Equal(8, await shared.DbAsync(db => db.InkBoards.Where(i => i.BoardId == boardId).Select(i => i.LiveStrokes).SingleAsync()));
    }

    [Fact]
    public async Task DeleteBoard_RemovesItsInk()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        await AddAsync(client, board, Stroke(NewId()));
        var boardId = Guid.Parse(board.Id());

        using var deleted = await client.DeleteAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
        Assert.Equal(0, await shared.DbAsync(db => db.InkStrokes.CountAsync(s => s.BoardId == boardId)));
        Assert.Equal(0, await shared.DbAsync(db => db.InkBoards.CountAsync(s => s.BoardId == boardId)));
    }
}
