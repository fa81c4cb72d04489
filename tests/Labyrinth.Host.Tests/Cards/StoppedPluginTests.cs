using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// A killed plugin keeps its grants visible (so people can revoke them) but cannot use them, even
/// from code a browser still has cached. Own fixture: the kill would leak into other classes.
/// </summary>
public sealed class StoppedPluginTests(CardsApp shared) : IClassFixture<CardsApp>
{
    [Fact]
    public async Task ReadAsset_PluginKilled_Returns403AndPermissionsStillListTheGrant()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, _, _) = await card.GiveImageAsync();
        using (var killed = await shared.Admin.PostAsJsonAsync($"/api/admin/plugins/{CardsApp.PluginId}/kill", new { reason = "test" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, killed);
        }

        try
        {
            using var read = await card.ReadAsync(token);
            var permissions = await card.PermissionsAsync();

            await Expect.ProblemAsync(HttpStatusCode.Forbidden, "card.plugin_stopped", read);
            Assert.Single(permissions.GetProperty("assets").EnumerateArray());
        }
        finally
        {
            using var unkilled = await shared.Admin.PostAsJsonAsync($"/api/admin/plugins/{CardsApp.PluginId}/unkill", new { });
        }
    }

    [Fact]
    public async Task Broker_PluginKilled_Returns403BeforeAnyGrantCheck()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var killed = await shared.Admin.PostAsJsonAsync($"/api/admin/plugins/{CardsApp.PluginId}/kill", new { reason = "test" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, killed);
        }

        try
        {
            using var response = await card.Client.PostAsJsonAsync(card.Url("/network/openai"), new { method = "GET", path = "/models" });

            await Expect.ProblemAsync(HttpStatusCode.Forbidden, "card.plugin_stopped", response);
        }
        finally
        {
            using var unkilled = await shared.Admin.PostAsJsonAsync($"/api/admin/plugins/{CardsApp.PluginId}/unkill", new { });
        }
    }
}
