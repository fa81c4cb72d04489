using System.Net;

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
    public async Task Limits_SignedOut_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/cards/limits");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
