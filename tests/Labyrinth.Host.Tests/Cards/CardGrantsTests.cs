using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Cards;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

public sealed class CardGrantsTests(CardsApp shared) : IClassFixture<CardsApp>
{
    [Fact]
    public async Task Permissions_NewCard_ListsRequestedCapabilitiesUngranted()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        var permissions = await card.PermissionsAsync();

        Assert.Equal(CardsApp.ViewerCapabilities, permissions.GetProperty("capabilities").EnumerateArray().Select(c => c.GetProperty("capability").GetString()));
        Assert.All(permissions.GetProperty("capabilities").EnumerateArray(), c => Assert.False(c.GetProperty("granted").GetBoolean()));
        Assert.Empty(permissions.GetProperty("wantsMore").EnumerateArray());
        Assert.Equal("Viewer", permissions.GetProperty("cardName").GetString());
        Assert.Equal(CardsApp.PluginId, permissions.GetProperty("pluginId").GetString());
    }

    [Fact]
    public async Task Grant_RequestedCapability_ShowsGrantedAndWantsNothingWithoutAnUpgrade()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.GrantAsync("crossCard:pubsub");
        var permissions = await card.PermissionsAsync();

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var granted = permissions.GetProperty("capabilities").EnumerateArray().Single(c => c.GetProperty("capability").GetString() == "crossCard:pubsub");
        Assert.True(granted.GetProperty("granted").GetBoolean());
        // Ungranted capabilities of the card's own version are not "more": only a newer version's additions are.
        Assert.Empty(permissions.GetProperty("wantsMore").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, permissions.GetProperty("upgrade").ValueKind);
    }

    [Fact]
    public async Task Grant_Twice_IsIdempotentWithOneAuditRow()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var first = await card.GrantAsync("crossCard:pubsub");
        using var second = await card.GrantAsync("crossCard:pubsub");

        await Expect.StatusAsync(HttpStatusCode.OK, second);
        Assert.Equal(1, await shared.GrantRowsAsync(card.BoardId, card.WindowId));
        var audit = await shared.AuditExportAsync();
        Assert.Equal(1, audit.Split('\n').Count(l => l.Contains("card.grant", StringComparison.Ordinal) && l.Contains(card.WindowId, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("network:other")]
    [InlineData("fileRegistry:pdf")]
    [InlineData("api:dev.labyrinth.notes")]
    [InlineData("root")]
    public async Task Grant_NotRequestedByManifest_Returns400AndStoresNothing(string capability)
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.GrantAsync(capability);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "grant.not_requested", response);
        Assert.Equal(0, await shared.GrantRowsAsync(card.BoardId, card.WindowId));
    }

    [Fact]
    public async Task Grant_CardThatRequestsNothing_Returns400()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync(), "plain");

        using var response = await card.GrantAsync("crossCard:pubsub");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "grant.not_requested", response);
    }

    [Fact]
    public async Task Grant_Network_MintsOpaqueHandleForThisCard()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.GrantAsync("network:openai");
        var capability = await response.Content.ReadFromJsonAsync<JsonElement>();

        var handle = capability.GetProperty("handle").GetString()!;
        Assert.StartsWith($"token://openai/card-{card.WindowId}/session-", handle, StringComparison.Ordinal);
        var status = (await card.PermissionsAsync()).GetProperty("network").GetProperty("services").EnumerateArray().Single();
        Assert.Equal("openai", status.GetProperty("serviceId").GetString());
        Assert.True(status.GetProperty("granted").GetBoolean());
        Assert.False(status.GetProperty("configured").GetBoolean());
    }

    [Fact]
    public async Task Endpoints_OtherUsersCard_Return404AndChangeNothing()
    {
        var owner = await shared.UserAsync();
        var intruder = await shared.UserAsync();
        var card = await CardsApp.CardAsync(owner);
        using (var granted = await card.GrantAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        var (token, grant, asset) = await card.GiveImageAsync();

        using var permissions = await intruder.GetAsync(card.Url("/permissions"));
        using var grantAttempt = await card.GrantAsync("network:openai", intruder);
        using var revoke = await card.RevokeAsync("crossCard:pubsub", intruder);
        using var revokeAll = await intruder.DeleteAsync(card.Url("/grants"));
        using var giveAsset = await card.GrantAssetAsync(asset.Id(), intruder);
        using var read = await card.ReadAsync(token, intruder);
        using var revokeAsset = await intruder.DeleteAsync(card.Url("/assets/" + grant.GetProperty("grantId").GetString()));
        using var violation = await intruder.PostAsJsonAsync(card.Url("/violations"), new { reason = "flood", count = 1, suspended = true });
        using var snapshot = await intruder.GetAsync($"/api/cards/{card.BoardIdText}/{card.WindowId}/snapshot");

        foreach (var response in new[] { permissions, grantAttempt, revoke, revokeAll, giveAsset, read, revokeAsset, violation, snapshot })
        {
            await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
        }

        Assert.Equal(2, await shared.GrantRowsAsync(card.BoardId, card.WindowId));
        Assert.Equal(1, await shared.AssetGrantRowsAsync(card.BoardId, card.WindowId));
        using var stillReadable = await card.ReadAsync(token);
        await Expect.StatusAsync(HttpStatusCode.OK, stillReadable);
    }

    [Fact]
    public async Task Endpoints_UnknownWindowOnOwnBoard_Return404CardNotFound()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.Client.GetAsync($"/api/cards/{card.BoardIdText}/w_0000000000000000/permissions");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task Endpoints_BuiltInWindow_Return404CardNotFound()
    {
        var client = await shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (_, form) = await Boards.SpawnAsync(client, board, new { kind = "form" });

        using var response = await client.GetAsync($"/api/cards/{board.Id()}/{form.Id()}/permissions");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task Revoke_Capability_RemovesGrantAndCancelsItsSignal()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var granted = await card.GrantAsync("network:openai"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        var signal = shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "network:openai");

        using var response = await card.RevokeAsync("network:openai");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.True(signal.IsCancellationRequested);
        Assert.Equal(0, await shared.GrantRowsAsync(card.BoardId, card.WindowId));
        Assert.False(shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "network:openai").IsCancellationRequested);
    }

    [Fact]
    public async Task Revoke_FileRegistryType_RevokesThatTypesAssetTokens()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, _, _) = await card.GiveImageAsync();

        using var revoke = await card.RevokeAsync("fileRegistry:image");
        using var read = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", read);
        Assert.Empty((await card.PermissionsAsync()).GetProperty("assets").EnumerateArray());
    }

    [Fact]
    public async Task RevokeAll_Card_RemovesEveryGrantAndAssetToken()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var a = await card.GrantAsync("crossCard:pubsub"))
        using (var b = await card.GrantAsync("network:openai"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, b);
        }

        var (token, _, _) = await card.GiveImageAsync();
        var signal = shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "network:openai");

        using var response = await card.Client.DeleteAsync(card.Url("/grants"));
        using var read = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", read);
        Assert.Equal(0, await shared.GrantRowsAsync(card.BoardId, card.WindowId));
        Assert.Equal(0, await shared.AssetGrantRowsAsync(card.BoardId, card.WindowId));
        Assert.True(signal.IsCancellationRequested);
        Assert.Contains("card.revoke_all", await shared.AuditExportAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_GrantRevoke_CarryCardIdentity()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        using (var granted = await card.GrantAsync("crossCard:pubsub"))
        using (var revoked = await card.RevokeAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoked);
        }

        var rows = (await shared.AuditExportAsync()).Split('\n').Where(l => l.Contains(card.WindowId, StringComparison.Ordinal)).ToList();

        Assert.Contains(rows, r => r.Contains("card.grant", StringComparison.Ordinal));
        var revoke = rows.Single(r => r.Contains("card.revoke", StringComparison.Ordinal));
        Assert.Contains(card.BoardIdText, revoke, StringComparison.Ordinal);
        Assert.Contains(CardsApp.PluginId, revoke, StringComparison.Ordinal);
        Assert.Contains("viewer", revoke, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CardTypes_PluginList_ExposesCapabilitiesAndTopics()
    {
        var client = await shared.UserAsync();

        var plugins = await client.GetJsonAsync("/api/plugins");

        var viewer = plugins.EnumerateArray().Single(p => p.Id() == CardsApp.PluginId).GetProperty("cards").EnumerateArray().Single(c => c.GetProperty("typeID").GetString() == "viewer");
        Assert.Equal(CardsApp.ViewerCapabilities, viewer.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["math:*:changed"], viewer.GetProperty("topics").GetProperty("subscribe").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["math:expression:changed"], viewer.GetProperty("topics").GetProperty("publish").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task CardAccess_IsGranted_FollowsGrantAndRevoke()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var userId = await shared.DbAsync(db => Task.FromResult(db.Boards.Single(b => b.Id == card.BoardId).OwnerId));

        async Task<bool> GrantedAsync()
        {
            await using var scope = shared.App.Services.CreateAsyncScope();
            var access = scope.ServiceProvider.GetRequiredService<CardAccess>();
            var instance = await access.FindAsync(userId, card.BoardId, card.WindowId, CancellationToken.None);
            return await access.IsGrantedAsync(instance!, "crossCard:pubsub", CancellationToken.None);
        }

        var before = await GrantedAsync();
        using (var granted = await card.GrantAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        var during = await GrantedAsync();
        using (var revoked = await card.RevokeAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoked);
        }

        var after = await GrantedAsync();
        Assert.False(before);
        Assert.True(during);
        Assert.False(after);
    }

    [Fact]
    public async Task CardAccess_OtherUsersBoard_FindsNothing()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        await using var scope = shared.App.Services.CreateAsyncScope();

        var found = await scope.ServiceProvider.GetRequiredService<CardAccess>().FindAsync(Guid.NewGuid(), card.BoardId, card.WindowId, CancellationToken.None);

        Assert.Null(found);
    }
}
