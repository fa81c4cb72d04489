using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// The card route group: every route that names a board and a window resolves the card through one
/// filter, so a stranger, a missing window and a built-in window all get one and the same 404, on
/// routes that exist today and on any added later.
/// </summary>
public sealed class CardRoutesTests(CardsApp shared) : IClassFixture<CardsApp>
{
    [Fact]
    public async Task EveryCardRoute_SomeoneElsesCard_Returns404CardNotFound()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var stranger = await shared.UserAsync();
        var routes = CardRoutes();

        var answers = new List<string>();
        foreach (var (method, pattern) in routes)
        {
            using var response = await RouteRequests.SendAsync(stranger, method, Fill(pattern, card.BoardIdText, card.WindowId));
            answers.Add($"{method} {pattern.RawText}: {(int)response.StatusCode} {await ProblemKeyAsync(response)}");
        }

        // Today: the card routes, the broker and the two aliases of state and snapshot.
        Assert.True(routes.Count >= 20, $"Only {routes.Count} card routes found.");
        Assert.All(answers, a => Assert.EndsWith(": 404 card.not_found|There is no such card on your boards.", a, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryCardRoute_MissingOrBuiltInWindowOnOwnBoard_AnswersLikeAForeignCard()
    {
        var owner = await shared.UserAsync();
        var card = await CardsApp.CardAsync(owner);
        var (_, form) = await Boards.SpawnAsync(owner, card.Board, new { kind = "form" });
        var foreignBoard = Guid.NewGuid().ToString();

        foreach (var (method, pattern) in CardRoutes())
        {
            foreach (var (board, window) in new[] { (card.BoardIdText, "w_0000000000000000"), (card.BoardIdText, form.Id()), (foreignBoard, card.WindowId) })
            {
                using var response = await RouteRequests.SendAsync(owner, method, Fill(pattern, board, window));
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {pattern.RawText} ({window}): {(int)response.StatusCode}");
                Assert.Equal("card.not_found|There is no such card on your boards.", await ProblemKeyAsync(response));
            }
        }
    }

    [Fact]
    public async Task PayloadAlias_BoardWindowPath_ReadsAndWritesTheCardsState()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var alias = $"/api/boards/{card.BoardIdText}/windows/{card.WindowId}/payload";

        using (var put = await card.Client.PutAsJsonAsync(alias, new { payload = new { text = "via the alias" } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, put);
        }

        var stored = await card.Client.GetJsonAsync(card.Url("/payload"));
        Assert.Equal("via the alias", stored.GetProperty("payload").GetProperty("text").GetString());
        var viaAlias = await card.Client.GetJsonAsync(alias);
        Assert.Equal(stored.GetProperty("version").GetInt64(), viaAlias.GetProperty("version").GetInt64());
    }

    private List<(string Method, RoutePattern Pattern)> CardRoutes()
    {
        var sources = shared.App.Services.GetServices<EndpointDataSource>();
        return sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.GetParameter("boardId") is not null && e.RoutePattern.GetParameter("windowId") is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern)))
            .OrderBy(r => r.RoutePattern.RawText, StringComparer.Ordinal).ThenBy(r => r.m, StringComparer.Ordinal)
            .ToList();
    }

    private static string Fill(RoutePattern pattern, string boardId, string windowId) =>
        RouteRequests.Fill(pattern, new Dictionary<string, string> { ["boardId"] = boardId, ["windowId"] = windowId });

    private static async Task<string> ProblemKeyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            var problem = JsonSerializer.Deserialize<JsonElement>(text);
            return $"{problem.GetProperty("code").GetString()}|{problem.GetProperty("detail").GetString()}";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}
