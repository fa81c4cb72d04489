using System.Net;
using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Tests;

public sealed class PluginsApiTests
{
    [Fact]
    public async Task ListPlugins_SignedIn_ListsExamplesWithUrls()
    {
        await using var app = new LabyrinthApp();
        var admin = await app.SetupAdminAsync();

        var plugins = (await admin.GetJsonAsync("/api/plugins")).EnumerateArray().ToList();

        Assert.Equal(["dev.labyrinth.chatbot", "dev.labyrinth.hello", "dev.labyrinth.math", "dev.labyrinth.model-viewer", "dev.labyrinth.notes", "dev.labyrinth.probe", "dev.labyrinth.timer", "dev.labyrinth.world-clock"], plugins.Select(p => p.Id()));
        var helloPlugin = plugins.Single(p => p.Id() == "dev.labyrinth.hello");
        var hello = helloPlugin.GetProperty("cards")[0];
        var helloOrigin = $"http://{CardOrigins.Label("dev.labyrinth.hello", "1.0.0")}.cards.localhost";
        // An admin's frames carry their CSP report token (the developer overlay shows the reports).
        var report = $"?r={helloPlugin.GetProperty("reportToken").GetString()}";
        Assert.Equal($"{helloOrigin}/cards/frame/dev.labyrinth.hello/1.0.0/hello{report}", hello.GetProperty("frameUrl").GetString());
        Assert.Equal($"{helloOrigin}/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js", hello.GetProperty("entryUrl").GetString());
        var html = plugins.Single(p => p.Id() == "dev.labyrinth.probe").GetProperty("cards").EnumerateArray().Single(c => c.GetProperty("typeID").GetString() == "html");
        var probeOrigin = $"http://{CardOrigins.Label("dev.labyrinth.probe", "1.0.0")}.cards.localhost";
        var probeReport = $"?r={plugins.Single(p => p.Id() == "dev.labyrinth.probe").GetProperty("reportToken").GetString()}";
        Assert.Equal($"{probeOrigin}/plugins/dev.labyrinth.probe/1.0.0/cards/probe.html{probeReport}", html.GetProperty("frameUrl").GetString());
        Assert.Equal(probeOrigin, plugins.Single(p => p.Id() == "dev.labyrinth.probe").GetProperty("origins").GetProperty("1.0.0").GetString());
    }

    [Fact]
    public async Task ListPlugins_FreshHostWithoutTestSetting_HasNoTestPlugin()
    {
        // What `dotnet run` gets: the setting is unset (LabyrinthApp sets it for every other test).
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:InstallTestPlugins"] = null });
        var admin = await app.SetupAdminAsync();

        var plugins = (await admin.GetJsonAsync("/api/plugins")).EnumerateArray().Select(p => p.Id()).ToList();

        Assert.Equal(["dev.labyrinth.chatbot", "dev.labyrinth.hello", "dev.labyrinth.math", "dev.labyrinth.model-viewer", "dev.labyrinth.notes", "dev.labyrinth.timer", "dev.labyrinth.world-clock"], plugins);
        var installed = (await admin.GetJsonAsync("/api/admin/plugins")).EnumerateArray().Select(p => p.Id()).ToList();
        Assert.DoesNotContain("dev.labyrinth.probe", installed);
    }

    [Fact]
    public async Task ListPlugins_Anonymous_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/plugins");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }
}
