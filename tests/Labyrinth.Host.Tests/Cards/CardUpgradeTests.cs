using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Features.Cards;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// The cards test plugin at 1.0.0, then 1.1.0 installed (and active) whose viewer asks for
/// fileRegistry:pdf more and no longer for fileRegistry:text, and whose plain card now requires a
/// "src" prop that 1.0.0 cards do not have. Its own host: the newer active version
/// would change what every other class's cards spawn on.
/// </summary>
public sealed class CardUpgradeApp : IAsyncLifetime
{
    public const string NewVersion = "1.1.0";

    public static readonly string[] NewViewerCapabilities = ["fileRegistry:image", "fileRegistry:pdf", "crossCard:pubsub", "network:openai"];

    internal CardsApp Inner { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Inner.InitializeAsync();
        await Inner.InstallAsync(NewVersion, NewViewerCapabilities,
            new { type = "object", required = new[] { "src" }, properties = new { src = new { type = "string" } } });
    }

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}

public sealed class CardUpgradeTests(CardUpgradeApp app) : IClassFixture<CardUpgradeApp>
{
    private CardsApp Shared => app.Inner;

    /// <summary>A viewer on the old version 1.0.0, as a card spawned before the update would be.</summary>
    private async Task<Card> OldCardAsync(string typeID = "viewer")
    {
        var client = await Shared.UserAsync();
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (after, window) = await Boards.SpawnAsync(client, board,
            new { kind = "plugin", plugin = new { pluginId = CardsApp.PluginId, version = "1.0.0", typeID } });
        return new Card(client, after, board.Id(), window.Id());
    }

    private static Task<HttpResponseMessage> UpgradeAsync(Card card, string version, bool? allow = null, HttpClient? caller = null) =>
        (caller ?? card.Client).PostAsJsonAsync(card.Url("/upgrade"), new { version, allow });

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static JsonElement Capability(JsonElement permissions, string name) =>
        permissions.GetProperty("capabilities").EnumerateArray().Single(c => c.GetProperty("capability").GetString() == name);

    [Fact]
    public async Task Permissions_NewerVersionWantsMore_ShowsUpgradeAndOldGrantsStillWork()
    {
        var card = await OldCardAsync();
        var (token, _, _) = await card.GiveImageAsync();

        var permissions = await card.PermissionsAsync();
        using var read = await card.ReadAsync(token);

        Assert.Equal("1.0.0", permissions.GetProperty("version").GetString());
        var upgrade = permissions.GetProperty("upgrade");
        Assert.Equal(CardUpgradeApp.NewVersion, upgrade.GetProperty("version").GetString());
        Assert.Equal(["fileRegistry:pdf"], Strings(upgrade.GetProperty("wantsMore")));
        Assert.Equal(["fileRegistry:pdf"], Strings(permissions.GetProperty("wantsMore")));
        await Expect.StatusAsync(HttpStatusCode.OK, read);
    }

    [Fact]
    public async Task Permissions_CardOnActiveVersion_HasNoUpgradeAndWantsNothing()
    {
        var card = await CardsApp.CardAsync(await Shared.UserAsync());
        using (var granted = await card.GrantAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        var permissions = await card.PermissionsAsync();

        Assert.Equal(CardUpgradeApp.NewVersion, permissions.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, permissions.GetProperty("upgrade").ValueKind);
        Assert.Empty(Strings(permissions.GetProperty("wantsMore")));
    }

    [Fact]
    public async Task Upgrade_WithoutAllow_MovesCardKeepsGrantsAndLeavesNewCapabilityUngranted()
    {
        var card = await OldCardAsync();
        using (var granted = await card.GrantAsync("network:openai"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        var handle = Capability(await card.PermissionsAsync(), "network:openai").GetProperty("handle").GetString();
        var (token, _, _) = await card.GiveImageAsync();

        using var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var board = await response.Content.ReadFromJsonAsync<JsonElement>();
        var window = board.GetProperty("windows").EnumerateArray().Single(w => w.GetProperty("id").GetString() == card.WindowId);
        Assert.Equal(CardUpgradeApp.NewVersion, window.GetProperty("plugin").GetProperty("version").GetString());
        Assert.True(board.GetProperty("version").GetInt64() > card.Board.GetProperty("version").GetInt64());
        var permissions = await card.PermissionsAsync();
        Assert.Equal(CardUpgradeApp.NewVersion, permissions.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, permissions.GetProperty("upgrade").ValueKind);
        Assert.False(Capability(permissions, "fileRegistry:pdf").GetProperty("granted").GetBoolean());
        Assert.Equal(handle, Capability(permissions, "network:openai").GetProperty("handle").GetString());
        using var read = await card.ReadAsync(token);
        await Expect.StatusAsync(HttpStatusCode.OK, read);
    }

    [Fact]
    public async Task Upgrade_WithAllow_GrantsWhatTheNewVersionWantsMore()
    {
        var card = await OldCardAsync();

        using var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion, allow: true);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var permissions = await card.PermissionsAsync();
        Assert.True(Capability(permissions, "fileRegistry:pdf").GetProperty("granted").GetBoolean());
        Assert.False(Capability(permissions, "network:openai").GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task Upgrade_CapabilityNoLongerRequested_DropsGrantKillsItsAssetTokenAndSignal()
    {
        var card = await OldCardAsync();
        var asset = await CardsApp.UploadAsync(card.Client, Encoding.UTF8.GetBytes("plain words"), "notes.txt");
        using var granted = await card.GrantAssetAsync(asset.Id());
        await Expect.StatusAsync(HttpStatusCode.OK, granted);
        var token = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var signal = Shared.App.Services.GetRequiredService<CardGrantSignals>().TokenFor(card.BoardId, card.WindowId, "fileRegistry:text");
        using (var before = await card.ReadAsync(token))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, before);
        }

        using var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion);
        using var after = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", after);
        Assert.Equal(0, await Shared.GrantRowsAsync(card.BoardId, card.WindowId));
        Assert.Equal(0, await Shared.AssetGrantRowsAsync(card.BoardId, card.WindowId));
        Assert.True(signal.IsCancellationRequested);
    }

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("1.2.0")]
    [InlineData("")]
    public async Task Upgrade_VersionNotTheActiveNewerOne_Returns409AndLeavesCard(string version)
    {
        var card = await OldCardAsync();

        using var response = await UpgradeAsync(card, version);

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "card.upgrade_unavailable", response);
        Assert.Equal("1.0.0", (await card.PermissionsAsync()).GetProperty("version").GetString());
    }

    [Fact]
    public async Task Upgrade_CardAlreadyUpgraded_SecondCallReturns409()
    {
        var card = await OldCardAsync();
        using (var first = await UpgradeAsync(card, CardUpgradeApp.NewVersion))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, first);
        }

        using var second = await UpgradeAsync(card, CardUpgradeApp.NewVersion);

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "card.upgrade_unavailable", second);
    }

    [Fact]
    public async Task Upgrade_PropsInvalidForNewVersion_Returns400AndLeavesCard()
    {
        var card = await OldCardAsync("plain");
        Assert.Equal(CardUpgradeApp.NewVersion, (await card.PermissionsAsync()).GetProperty("upgrade").GetProperty("version").GetString());

        using var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.invalid_props", response);
        Assert.Equal("1.0.0", (await card.PermissionsAsync()).GetProperty("version").GetString());
    }

    [Fact]
    public async Task Upgrade_AnotherUsersCard_Returns404AndLeavesCard()
    {
        var card = await OldCardAsync();
        var stranger = await Shared.UserAsync();

        using var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion, allow: true, caller: stranger);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
        var permissions = await card.PermissionsAsync();
        Assert.Equal("1.0.0", permissions.GetProperty("version").GetString());
        Assert.Equal(0, await Shared.GrantRowsAsync(card.BoardId, card.WindowId));
    }

    [Fact]
    public async Task Upgrade_Succeeds_AuditsFromToGrantedAndDropped()
    {
        var card = await OldCardAsync();
        using (var granted = await card.GrantAsync("fileRegistry:text"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        using (var response = await UpgradeAsync(card, CardUpgradeApp.NewVersion, allow: true))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        var row = (await Shared.AuditExportAsync()).Split('\n')
            .Single(l => l.Contains("card.upgrade", StringComparison.Ordinal) && l.Contains(card.WindowId, StringComparison.Ordinal));
        Assert.Contains(card.BoardIdText, row, StringComparison.Ordinal);
        Assert.Contains(CardsApp.PluginId, row, StringComparison.Ordinal);
        Assert.Matches("from.{1,20}1\\.0\\.0", row);
        Assert.Matches("to.{1,20}1\\.1\\.0", row);
        Assert.Matches("granted.{1,30}fileRegistry:pdf", row);
        Assert.Matches("dropped.{1,30}fileRegistry:text", row);
    }
}
