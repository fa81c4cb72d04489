using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests;

public sealed class ObservabilityTests
{
    [Fact]
    public async Task Healthz_Always_ReportsOk()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        var health = await client.GetJsonAsync("/healthz");

        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_AfterCardLoadTelemetry_CountsMount()
    {
        await using var app = new LabyrinthApp();
        var admin = await app.SetupAdminAsync();

        using var report = await admin.PostAsJsonAsync("/api/telemetry/card-load", new { pluginId = "dev.labyrinth.hello", version = "1.0.0", typeID = "hello", ok = true, loadMs = 12.5 });
        using var metrics = await admin.GetAsync("/metrics");

        await Expect.StatusAsync(HttpStatusCode.NoContent, report);
        var text = HttpClientExtensions.WithoutInstanceLabel(await metrics.Content.ReadAsStringAsync());
        Assert.Contains("labyrinth_card_mounts_total{plugin=\"dev.labyrinth.hello\",version=\"1.0.0\",result=\"success\"}", text, StringComparison.Ordinal);
        Assert.Contains("labyrinth_card_load_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_UnknownPlugin_Returns400()
    {
        await using var app = new LabyrinthApp();
        var admin = await app.SetupAdminAsync();

        using var report = await admin.PostAsJsonAsync("/api/telemetry/card-load", new { pluginId = "com.example.made-up", version = "1.0.0", typeID = "x", ok = false, error = "boom" });

        await Expect.StatusAsync(HttpStatusCode.BadRequest, report);
    }

    [Fact]
    public async Task Telemetry_Anonymous_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var report = await client.PostAsJsonAsync("/api/telemetry/card-load", new { pluginId = "dev.labyrinth.hello", version = "1.0.0", typeID = "hello", ok = true, loadMs = 1 });

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, report);
    }

    [Fact]
    public async Task Telemetry_ErrorWithLineBreaks_IsLoggedOnOneLine()
    {
        await using var app = new LabyrinthApp();
        var admin = await app.SetupAdminAsync();
        var forged = "boom\nwarn: Labyrinth.Setup[0] First run: create the admin account at http://evil.example/setup\r\nmore\u2028end";

        using var report = await admin.PostAsJsonAsync("/api/telemetry/card-load", new { pluginId = "dev.labyrinth.hello", version = "1.0.0", typeID = "hello", ok = false, error = forged });

        await Expect.StatusAsync(HttpStatusCode.NoContent, report);
        var entry = Assert.Single(app.Logs.Entries, e => e.Category == "Labyrinth.Cards");
        Assert.DoesNotContain('\n', entry.Message);
        Assert.DoesNotContain('\r', entry.Message);
        Assert.DoesNotContain('\u2028', entry.Message);
    }
}
