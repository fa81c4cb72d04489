using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Cards;

public sealed class BridgeLimitsTests
{
    [Fact]
    public async Task Limits_Default_Are100PerSecondBurst200()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        var limits = await admin.GetJsonAsync("/api/cards/limits");

        Assert.Equal(100, limits.GetProperty("messagesPerSecond").GetInt32());
        Assert.Equal(200, limits.GetProperty("burst").GetInt32());
    }

    [Fact]
    public async Task Limits_Configured_AreWhatThePageGets()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:ExamplePluginsDir"] = "",
            ["Labyrinth:Bridge:MessagesPerSecond"] = "20",
            ["Labyrinth:Bridge:Burst"] = "40",
        });
        var admin = await app.SetupAdminAsync();

        var limits = await admin.GetJsonAsync("/api/cards/limits");

        Assert.Equal(20, limits.GetProperty("messagesPerSecond").GetInt32());
        Assert.Equal(40, limits.GetProperty("burst").GetInt32());
    }

    [Fact]
    public async Task Limits_Default_MatchTheSharedVectorTheSdkAssumes()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var expected = SharedVector();

        var limits = await admin.GetJsonAsync("/api/cards/limits");

        Assert.Equal(expected.GetProperty("messagesPerSecond").GetInt32(), limits.GetProperty("messagesPerSecond").GetInt32());
        Assert.Equal(expected.GetProperty("burst").GetInt32(), limits.GetProperty("burst").GetInt32());
        Assert.Equal(expected.GetProperty("maxMessageBytes").GetInt32(), limits.GetProperty("maxMessageBytes").GetInt32());
        Assert.Equal(expected.GetProperty("maxPayloadBytes").GetInt32(), limits.GetProperty("maxPayloadBytes").GetInt32());
        Assert.Equal(expected.GetProperty("maxSnapshotBytes").GetInt32(), limits.GetProperty("maxSnapshotBytes").GetInt32());
        Assert.Equal(expected.GetProperty("maxPublishBytes").GetInt32(), limits.GetProperty("bus").GetProperty("maxPayloadBytes").GetInt32());
    }

    /// <summary>tests/vectors/card-limits.json: the SDK's defaults are tested against the same file.</summary>
    private static System.Text.Json.JsonElement SharedVector()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "vectors", "card-limits.json")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "tests", "vectors", "card-limits.json"))).RootElement.Clone();
    }

    [Fact]
    public async Task MaxPayloadBytes_Raised_IsPublishedAndLargerStateIsStored()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:MaxPayloadBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var admin = await app.SetupAdminAsync();
        var board = await LabyrinthApp.CreateBoardAsync(admin);
        var (_, window) = await Boards.SpawnAsync(admin, board, Boards.Hello);

        var limits = await admin.GetJsonAsync("/api/cards/limits");
        using var put = await admin.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = new string('x', 1536 * 1024) });

        Assert.Equal(2 * 1024 * 1024, limits.GetProperty("maxPayloadBytes").GetInt32());
        await Expect.StatusAsync(HttpStatusCode.OK, put);
    }

    [Fact]
    public async Task Limits_SignedOut_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/cards/limits");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
