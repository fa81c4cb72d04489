using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Cards;

public sealed class ViolationTests(CardsApp shared) : IClassFixture<CardsApp>
{
    private static Task<HttpResponseMessage> ReportAsync(Card card, object body) => card.Client.PostAsJsonAsync(card.Url("/violations"), body);

    [Fact]
    public async Task Violations_Reported_CountInMetrics()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await ReportAsync(card, new { reason = "unknown_type", count = 48, suspended = false });
        var metrics = HttpClientExtensions.WithoutInstanceLabel(await card.Client.GetStringAsync("/metrics"));

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Contains($"labyrinth_bridge_violations_total{{plugin=\"{CardsApp.PluginId}\",reason=\"unknown_type\"}}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Violations_ManyReportsWithin10Seconds_OneAuditRow()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        for (var i = 0; i < 3; i++)
        {
            using var response = await ReportAsync(card, new { reason = "flood", count = 5, suspended = false });
            await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        }

        var rows = (await shared.AuditExportAsync()).Split('\n').Count(l => l.Contains("card.violation", StringComparison.Ordinal) && l.Contains(card.WindowId, StringComparison.Ordinal));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Violations_Suspended_AuditsSuspension()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var first = await ReportAsync(card, new { reason = "bad_shape", count = 1, suspended = false }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, first);
        }

        using var response = await ReportAsync(card, new { reason = "flood", count = 50, suspended = true });

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Contains((await shared.AuditExportAsync()).Split('\n'), l => l.Contains("card.suspended", StringComparison.Ordinal) && l.Contains(card.WindowId, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("evil_reason", 1)]
    [InlineData("flood", 0)]
    [InlineData("flood", 100001)]
    [InlineData(null, 1)]
    public async Task Violations_InvalidReport_Returns400(string? reason, long count)
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await ReportAsync(card, new { reason, count, suspended = false });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
    }
}
