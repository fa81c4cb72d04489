// Board pan/zoom frame times with the fractal grid on vs off (baseline), 200 windows on the board;
// and the live-card variant: 200 plugin cards of which 10 are open (live frames) and 190 closed.
// Usage: GridBench <hostBaseUrl> <setupToken> <outDir> [frames=600] [rounds=3]
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var host = args[0].TrimEnd('/');
var setupToken = args[1];
var outDir = args.Length > 2 ? args[2] : ".";
var frames = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 600;
var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
const int Windows = 200;
Directory.CreateDirectory(outDir);

string framesJs;
using (var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("frames.js")!)
using (var reader = new StreamReader(s))
{
    framesJs = reader.ReadToEnd();
}

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"],
});

// One signed-in admin (first-run setup through the API) and one board with 200 built-in windows.
var setupCtx = await browser.NewContextAsync(new() { BaseURL = host });
var api = setupCtx.APIRequest;
var headers = new Dictionary<string, string> { ["X-Labyrinth-Request"] = "1" };
var setup = await api.PostAsync("/api/setup", new() { Headers = headers, DataObject = new { token = setupToken, userName = "bench", password = "bench password 1" } });
if (!setup.Ok) throw new InvalidOperationException($"setup failed: {setup.Status} {await setup.TextAsync()}");
var board = JsonNode.Parse(await (await api.PostAsync("/api/boards", new() { Headers = headers, DataObject = new { name = "Grid bench" } })).TextAsync())!;
var boardId = (string)board["id"]!;
var version = (long)board["version"]!;
var kinds = new[] { "form", "metadata", "chat" };
for (var i = 0; i < Windows; i++)
{
    var h = new Dictionary<string, string>(headers) { ["If-Match"] = $"\"{version}\"" };
    var res = await api.PostAsync($"/api/boards/{Uri.EscapeDataString(boardId)}/windows", new()
    {
        Headers = h,
        DataObject = new { kind = kinds[i % kinds.Length], title = $"W{i}", x = (i % 20) * 340, y = (i / 20) * 260, width = 300, height = 220 },
    });
    if (res.Status != 201) throw new InvalidOperationException($"spawn {i} failed: {res.Status} {await res.TextAsync()}");
    version = (long)JsonNode.Parse(await res.TextAsync())!["board"]!["version"]!;
}

// The live-card board: the host opens the first 10 cards (its open-card cap) and adds the rest closed.
const int LiveCards = 10;
var liveBoard = JsonNode.Parse(await (await api.PostAsync("/api/boards", new() { Headers = headers, DataObject = new { name = "Grid bench, live cards" } })).TextAsync())!;
var liveBoardId = (string)liveBoard["id"]!;
var liveVersion = (long)liveBoard["version"]!;
var cards = new[] { ("dev.labyrinth.timer", "timer"), ("dev.labyrinth.hello", "hello"), ("dev.labyrinth.notes", "note") };
for (var i = 0; i < Windows; i++)
{
    var (pluginId, typeID) = cards[i % cards.Length];
    var h = new Dictionary<string, string>(headers) { ["If-Match"] = $"\"{liveVersion}\"" };
    var res = await api.PostAsync($"/api/boards/{Uri.EscapeDataString(liveBoardId)}/windows", new()
    {
        Headers = h,
        DataObject = new { kind = "plugin", title = $"C{i}", x = (i % 20) * 340, y = (i / 20) * 260, width = 300, height = 220, plugin = new { pluginId, typeID } },
    });
    if (res.Status != 201) throw new InvalidOperationException($"card {i} failed: {res.Status} {await res.TextAsync()}");
    liveVersion = (long)JsonNode.Parse(await res.TextAsync())!["board"]!["version"]!;
}
var state = await setupCtx.StorageStateAsync();
await setupCtx.CloseAsync();

async Task<double[]> Measure(bool gridOn, bool live = false)
{
    var ctx = await browser.NewContextAsync(new() { BaseURL = host, StorageState = state, ViewportSize = new() { Width = 1280, Height = 800 } });
    // Grid off = every theme's fractalGrid disabled (the layer's real "no grid" path). Without a
    // themes API (older host) the response is synthesised so both runs take the same path.
    await ctx.RouteAsync("**/api/themes", async route =>
    {
        var upstream = await route.FetchAsync();
        JsonNode body = upstream.Ok
            ? JsonNode.Parse(await upstream.TextAsync())!
            : JsonNode.Parse("""{"themes":[{"id":"light","name":"Light","source":"builtin","tokens":{},"cssVars":{}}],"defaultThemeId":null,"userThemeId":null}""")!;
        foreach (var t in body["themes"]!.AsArray())
        {
            if (!gridOn) t!["fractalGrid"] = JsonNode.Parse("""{"enabled":false,"groups":[]}""");
        }
        await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body.ToJsonString() });
    });
    var page = await ctx.NewPageAsync();
    page.SetDefaultTimeout(60_000);
    await page.GotoAsync($"/boards/{Uri.EscapeDataString(live ? liveBoardId : boardId)}");
    await page.WaitForSelectorAsync("[data-testid=window]");
    await WaitForCount(page, "[data-testid=window]", Windows);
    if (live)
    {
        // Every open card's frame has said ready: the board is as a person would pan it.
        await WaitForCount(page, "[data-testid=plugin-renderer][data-status=ready]", LiveCards);
    }
    var layer = await page.GetAttributeAsync("[data-testid=grid-layer]", "data-grid");
    if (layer != (gridOn ? "on" : "off")) throw new InvalidOperationException($"grid layer is {layer}, wanted {(gridOn ? "on" : "off")}");
    await page.WaitForTimeoutAsync(500);
    var deltas = await page.EvaluateAsync<double[]>(framesJs, new { frames });
    await ctx.CloseAsync();
    return deltas;
}

// Polled with evaluate: WaitForFunction compiles its predicate with eval, which the host page's CSP refuses.
static async Task WaitForCount(IPage page, string selector, int count)
{
    var seen = 0;
    for (var i = 0; i < 1200; i++)
    {
        seen = await page.EvaluateAsync<int>("s => document.querySelectorAll(s).length", selector);
        if (seen >= count) return;
        await Task.Delay(100);
    }

    throw new TimeoutException($"{selector}: {seen} of {count} after 120 s");
}

static double Pct(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

// One discarded run each way first: JIT, font and image caches, the first layout of 200 windows.
await Measure(true);
await Measure(false);
await Measure(true, live: true);
var results = new Dictionary<string, List<double[]>> { ["on"] = [], ["off"] = [], ["live"] = [] };
for (var r = 0; r < rounds; r++)
{
    // Interleaved so drift in machine load hits every variant alike.
    var order = new[] { "on", "off", "live" };
    foreach (var key in r % 2 == 0 ? order : order.Reverse())
    {
        var d = await Measure(key != "off", live: key == "live");
        results[key].Add(d);
        Console.Error.WriteLine($"round {r + 1} {key}: {d.Length} frames");
    }
}

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"on/off: board with {Windows} built-in windows (form/metadata/chat; no plugin frames), grid layer on/off; live: {Windows} plugin cards (timer/hello/note), {LiveCards} open with live frames and the rest closed, grid on; 1280×800, {frames} frames of wheel zoom + shift-wheel pan per run, {rounds} interleaved rounds after one discarded warm-up run each; chromium {browser.Version} headless, --disable-gpu (software raster).");
md.AppendLine();
// rAF deltas are multiples of the 16.7 ms vsync interval; a delta above 17.5 ms is a missed frame.
md.AppendLine("| variant | p50 ms | p95 ms | p99 ms | max ms | missed frames (delta > 17.5 ms) | runs (p50/p95) |");
md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
var json = new Dictionary<string, object>();
foreach (var (key, runs) in results)
{
    var all = runs.SelectMany(x => x).Order().ToArray();
    var per = string.Join(", ", runs.Select(x => { var s = x.Order().ToArray(); return $"{Pct(s, 50):F1}/{Pct(s, 95):F1}"; }));
    var slow = all.Count(x => x > 17.5);
    md.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {Pct(all, 50):F1} | {Pct(all, 95):F1} | {Pct(all, 99):F1} | {all[^1]:F1} | {slow} of {all.Length} ({100.0 * slow / all.Length:F1}%) | {per} |");
    json[key] = new { p50 = Pct(all, 50), p95 = Pct(all, 95), p99 = Pct(all, 99), max = all[^1], frames = all.Length, slow };
}
File.WriteAllText(Path.Combine(outDir, "grid.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "grid.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(md.ToString());
