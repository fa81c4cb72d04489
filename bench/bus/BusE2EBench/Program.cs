// Bus latency end to end in Chromium, as a person's page runs it: the probe plugin's bus card
// measures publish → echo → publish round trips (one way = half) on one clock
// (performance.timeOrigin + now). Card → card: two cards on one board in one tab (through both
// bridges and the page's bus). Tab → tab: a card in each of two tabs (through the server).
// Usage: BusE2EBench <hostBaseUrl> <hostLogFile> [roundTrips=300]
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

var host = args[0].TrimEnd('/');
var logFile = args[1];
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300;

string token = "";
for (var i = 0; i < 300 && token == ""; i++)
{
    var m = Regex.Match(File.Exists(logFile) ? File.ReadAllText(logFile) : "", @"/setup[?#]token=([A-Za-z0-9_\-]+)");
    if (m.Success) token = m.Groups[1].Value;
    else await Task.Delay(100);
}
if (token == "") throw new InvalidOperationException("no setup URL in the host log");

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium", Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
var context = await browser.NewContextAsync(new() { BaseURL = host, ViewportSize = new() { Width = 1280, Height = 800 } });
context.SetDefaultTimeout(30_000);
var api = context.APIRequest;
var headers = new Dictionary<string, string> { ["X-Labyrinth-Request"] = "1", ["Content-Type"] = "application/json" };

async Task<JsonElement> Call(string method, string path, object? body = null, string? ifMatch = null)
{
    var h = new Dictionary<string, string>(headers);
    if (ifMatch is not null) h["If-Match"] = ifMatch;
    var r = await api.FetchAsync(path, new() { Method = method, Headers = h, DataObject = body });
    var text = await r.TextAsync();
    if (!r.Ok) throw new InvalidOperationException($"{method} {path}: {r.Status} {text}");
    return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
}

await Call("POST", "/api/setup", new { token, userName = "bench", password = "bench-password-long" });

async Task<string> Board() => (await Call("POST", "/api/boards", new { name = "Bus bench" })).GetProperty("id").GetString()!;
async Task<string> BusCard(string board, int x)
{
    var version = (await Call("GET", $"/api/boards/{board}")).GetProperty("version").GetInt64();
    var w = await Call("POST", $"/api/boards/{board}/windows", new
    {
        kind = "plugin", title = "Bus", x, y = 20, width = 420, height = 300,
        plugin = new { pluginId = "dev.labyrinth.probe", typeID = "bus" },
    }, $"\"{version}\"");
    var id = w.GetProperty("window").GetProperty("id").GetString()!;
    await Call("POST", $"/api/cards/{board}/{id}/grants", new { capability = "crossCard:pubsub" });
    return id;
}

IFrameLocator Card(IPage page, string windowId) => page.Locator($"[data-testid=window][data-window-id='{windowId}']").FrameLocator("iframe");

async Task<(double P50, double P90)> Bench(IPage page, string benchCard, IPage echoPage, string echoCard)
{
    await Card(echoPage, echoCard).GetByTestId("bus-echo").ClickAsync();
    await Assertions.Expect(Card(echoPage, echoCard).GetByTestId("bus-status")).ToHaveAttributeAsync("data-state", new Regex("echoing"));
    var output = Card(page, benchCard).GetByTestId("bus-bench");
    await output.EvaluateAsync($"(el) => {{ el.dataset.runs = '{runs}'; }}");
    await Card(page, benchCard).GetByTestId("bus-run-bench").ClickAsync();
    await Assertions.Expect(output).ToHaveAttributeAsync("data-count", runs.ToString(CultureInfo.InvariantCulture), new() { Timeout = 300_000 });
    return (double.Parse((await output.GetAttributeAsync("data-p50-ms"))!, CultureInfo.InvariantCulture),
            double.Parse((await output.GetAttributeAsync("data-p90-ms"))!, CultureInfo.InvariantCulture));
}

// Card → card: both cards on one board in one tab.
var board1 = await Board();
var a = await BusCard(board1, 20);
var b = await BusCard(board1, 460);
var tab1 = await context.NewPageAsync();
await tab1.GotoAsync($"/boards/{board1}");
await Assertions.Expect(Card(tab1, b).GetByTestId("bus-echo")).ToBeVisibleAsync();
await Assertions.Expect(Card(tab1, a).GetByTestId("bus-run-bench")).ToBeVisibleAsync();
var local = await Bench(tab1, a, tab1, b);

// Tab → tab: one card in each of two tabs, so every message goes through the server.
var board2 = await Board();
var c = await BusCard(board2, 20);
var board3 = await Board();
var d = await BusCard(board3, 20);
await tab1.GotoAsync($"/boards/{board3}");
var tab2 = await context.NewPageAsync();
await tab2.GotoAsync($"/boards/{board2}");
await Assertions.Expect(Card(tab2, c).GetByTestId("bus-echo")).ToBeVisibleAsync();
await Assertions.Expect(Card(tab1, d).GetByTestId("bus-run-bench")).ToBeVisibleAsync();
var remote = await Bench(tab1, d, tab2, c);

Console.WriteLine(JsonSerializer.Serialize(new
{
    card_to_card_p50_ms = local.P50, card_to_card_p90_ms = local.P90,
    tab_to_tab_p50_ms = remote.P50, tab_to_tab_p90_ms = remote.P90,
    e2e_round_trips = runs, chromium = browser.Version,
}));
