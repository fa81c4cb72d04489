using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Limits;

/// <summary>
/// A count limit holds when requests race for the last places: the count and the insert it allows
/// are one step, so parallel creates never end above the limit, and every refusal is the limit's code.
/// </summary>
public sealed class CountLimitTests
{
    private const int MaxTokensPerUser = 50;

    [Fact]
    public async Task Tokens_SixtyCreatedAtOnce_FiftyCreatedTheRestRefusedTooMany()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, MaxTokensPerUser + 10).Select(async i =>
        {
            using var response = await admin.PostAsJsonAsync("/api/tokens", new { name = $"race {i}" });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var statuses = string.Join(", ", answers.GroupBy(a => a.StatusCode).Select(g => $"{g.Key}×{g.Count()}"));
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.Created) == MaxTokensPerUser, statuses);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Contains("\"code\":\"token.too_many\"", a.Body, StringComparison.Ordinal);
        });
        Assert.Equal(MaxTokensPerUser, Convert.ToInt32(app.RunSql("SELECT COUNT(*) FROM PersonalAccessTokens", scalar: true)));
    }
}
