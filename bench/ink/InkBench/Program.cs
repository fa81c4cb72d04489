// A board with N ink strokes vs the same board without ink: load time and pan/zoom frame times.
// Usage: InkBench <hostBaseUrl> <setupToken> <outDir> [strokes=10000] [frames=600] [rounds=3] [loads=5]
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var host = args[0].TrimEnd('/');
var setupToken = args[1];
var outDir = args.Length > 2 ? args[2] : ".";
var strokeCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
var frames = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 600;
var rounds = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 3;
var loads = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 5;
const int Windows = 20;
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
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

var setupCtx = await browser.NewContextAsync(new() { BaseURL = host });
var api = setupCtx.APIRequest;
var headers = new Dictionary<string, string> { ["X-Labyrinth-Request"] = "1" };
var setup = await api.PostAsync("/api/setup", new() { Headers = headers, DataObject = new { token = setupToken, userName = "bench", password = "bench password 1" } });
if (!setup.Ok) throw new InvalidOperationException($"setup failed: {setup.Status} {await setup.TextAsync()}");

// Two boards with the same windows and viewport; one gets the ink.
async Task<string> BoardAsync(string name)
{
    var board = JsonNode.Parse(await (await api.PostAsync("/api/boards", new() { Headers = headers, DataObject = new { name } })).TextAsync())!;
    var id = (string)board["id"]!;
    var version = (long)board["version"]!;
    for (var i = 0; i < Windows; i++)
    {
        var h = new Dictionary<string, string>(headers) { ["If-Match"] = $"\"{version}\"" };
        var res = await api.PostAsync($"/api/boards/{id}/windows", new()
        {
            Headers = h,
            DataObject = new { kind = "form", title = $"W{i}", x = (i % 5) * 1600 + 1200, y = (i / 5) * 1250 + 300, width = 300, height = 220 },
        });
        if (res.Status != 201) throw new InvalidOperationException($"spawn failed: {res.Status} {await res.TextAsync()}");
        version = (long)JsonNode.Parse(await res.TextAsync())!["board"]!["version"]!;
    }

    var b = JsonNode.Parse(await (await api.GetAsync($"/api/boards/{id}")).TextAsync())!;
    var layout = new JsonObject { ["viewport"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["zoom"] = 1 }, ["windows"] = b["windows"]!.DeepClone() };
    var put = await api.PutAsync($"/api/boards/{id}/layout", new() { Headers = new Dictionary<string, string>(headers) { ["If-Match"] = $"\"{version}\"", ["Content-Type"] = "application/json" }, Data = layout.ToJsonString() });
    if (!put.Ok) throw new InvalidOperationException($"layout failed: {put.Status} {await put.TextAsync()}");
    return id;
}

var inkBoard = await BoardAsync("Ink bench");
var plainBoard = await BoardAsync("No ink");

// Handwriting-like strokes: lines of "words" across an 8,000 × 5,000 area, 20–60 points each,
// a smooth random walk with pen-like pressure. Deterministic, so every run draws the same board.
var rnd = new Random(42);
var totalPoints = 0;
for (var sent = 0; sent < strokeCount;)
{
    var batch = new List<object>();
    for (var k = 0; k < 200 && sent < strokeCount; k++, sent++)
    {
        var line = sent / 100;
        var x = (sent % 100) * 80.0 + rnd.NextDouble() * 40;
        var y = (line % 50) * 100.0 + rnd.NextDouble() * 30 + 20;
        var n = rnd.Next(20, 61);
        var angle = rnd.NextDouble() * Math.PI * 2;
        var pts = new double[n * 3];
        for (var p = 0; p < n; p++)
        {
            angle += (rnd.NextDouble() - 0.5) * 0.9;
            x += Math.Cos(angle) * 2.5;
            y += Math.Sin(angle) * 2.5;
            pts[p * 3] = Math.Round(x * 16) / 16;
            pts[p * 3 + 1] = Math.Round(y * 16) / 16;
            pts[p * 3 + 2] = Math.Round((0.35 + 0.5 * Math.Sin(Math.PI * p / n)) * 100) / 100;
        }

        totalPoints += n;
        batch.Add(new { id = $"bench-{sent:D6}", points = pts, color = sent % 7 == 0 ? "#3e83f8" : "currentColor", width = sent % 5 == 0 ? 4 : 2.5 });
    }

    var res = await api.PostAsync($"/api/boards/{inkBoard}/strokes", new() { Headers = headers, DataObject = new { strokes = batch } });
    if (!res.Ok) throw new InvalidOperationException($"strokes failed: {res.Status} {await res.TextAsync()}");
}

var state = await setupCtx.StorageStateAsync();
var strokesBytes = (await (await api.GetAsync($"/api/boards/{inkBoard}/strokes")).BodyAsync()).Length;
await setupCtx.CloseAsync();

const string LoadJs = """
    () => {
      const painted = performance.getEntriesByName('labyrinth:ink-painted')[0];
      const loaded = performance.getEntriesByName('labyrinth:ink-loaded')[0];
      const req = performance.getEntriesByType('resource').find((e) => /\/strokes$/.test(e.name));
      return { start: req.startTime, responseEnd: req.responseEnd, loaded: loaded.startTime, painted: painted.startTime, strokes: painted.detail.strokes };
    }
    """;

async Task<(double[] Deltas, JsonElement? Load)> Measure(string boardId, bool ink, bool framesToo)
{
    var ctx = await browser.NewContextAsync(new() { BaseURL = host, StorageState = state, ViewportSize = new() { Width = 1280, Height = 800 } });
    var page = await ctx.NewPageAsync();
    page.SetDefaultTimeout(60_000);
    await page.GotoAsync($"/boards/{Uri.EscapeDataString(boardId)}");
    // Polled with evaluate: the page's CSP forbids the eval that WaitForFunction's predicate needs.
    for (var tries = 0; !await page.EvaluateAsync<bool>("() => document.querySelectorAll('[data-testid=window]').length >= 20 && performance.getEntriesByName('labyrinth:ink-painted').length > 0"); tries++)
    {
        if (tries > 600) throw new TimeoutException("the board never finished loading");
        await page.WaitForTimeoutAsync(50);
    }
    JsonElement? load = ink ? await page.EvaluateAsync<JsonElement>(LoadJs) : null;
    var deltas = Array.Empty<double>();
    if (framesToo)
    {
        await page.WaitForTimeoutAsync(500);
        deltas = await page.EvaluateAsync<double[]>(framesJs, new { frames });
    }

    await ctx.CloseAsync();
    return (deltas, load);
}

static double Pct(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

// Warm-up (JIT, caches), discarded.
await Measure(inkBoard, true, true);
await Measure(plainBoard, false, true);

var loadRuns = new List<JsonElement>();
for (var i = 0; i < loads; i++)
{
    loadRuns.Add((await Measure(inkBoard, true, false)).Load!.Value);
}

var results = new Dictionary<string, List<double[]>> { ["ink"] = [], ["none"] = [] };
for (var r = 0; r < rounds; r++)
{
    foreach (var withInk in r % 2 == 0 ? new[] { true, false } : [false, true])
    {
        var (d, _) = await Measure(withInk ? inkBoard : plainBoard, withInk, true);
        results[withInk ? "ink" : "none"].Add(d);
        Console.Error.WriteLine($"round {r + 1} {(withInk ? "ink" : "no ink")}: {d.Length} frames");
    }
}

var loadMs = loadRuns.Select(l => l.GetProperty("painted").GetDouble() - l.GetProperty("start").GetDouble()).Order().ToArray();
var serverMs = loadRuns.Select(l => l.GetProperty("responseEnd").GetDouble() - l.GetProperty("start").GetDouble()).Order().ToArray();
var decodeMs = loadRuns.Select(l => l.GetProperty("loaded").GetDouble() - l.GetProperty("responseEnd").GetDouble()).Order().ToArray();
var paintMs = loadRuns.Select(l => l.GetProperty("painted").GetDouble() - l.GetProperty("loaded").GetDouble()).Order().ToArray();

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"{strokeCount:N0} strokes ({totalPoints:N0} points; GET /strokes = {strokesBytes / 1024.0:F0} KiB JSON) over 8,000 × 5,000 world units, plus {Windows} form windows; the baseline is the same board without ink. 1280×800, chromium {browser.Version} headless, --disable-gpu (software raster).");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Load (strokes request start → ink fully painted), {loads} cold page loads: p50 {Pct(loadMs, 50):F1} ms, max {loadMs[^1]:F1} ms; of which request+response p50 {Pct(serverMs, 50):F1} ms, decode+index p50 {Pct(decodeMs, 50):F1} ms, first full paint p50 {Pct(paintMs, 50):F1} ms.");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Pan/zoom: {frames} frames of wheel zoom + shift-wheel pan per run (bench/grid's driver), {rounds} interleaved rounds after one discarded warm-up each.");
md.AppendLine();
md.AppendLine("| board | p50 ms | p95 ms | p99 ms | max ms | missed frames (delta > 17.5 ms) | runs (p50/p95) |");
md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
var json = new Dictionary<string, object> { ["strokes"] = strokeCount, ["points"] = totalPoints, ["strokesBytes"] = strokesBytes };
foreach (var (key, runs) in results)
{
    var all = runs.SelectMany(x => x).Order().ToArray();
    var per = string.Join(", ", runs.Select(x => { var s = x.Order().ToArray(); return $"{Pct(s, 50):F1}/{Pct(s, 95):F1}"; }));
    var slow = all.Count(x => x > 17.5);
    md.AppendLine(CultureInfo.InvariantCulture, $"| {(key == "ink" ? $"{strokeCount:N0} strokes" : "no ink")} | {Pct(all, 50):F1} | {Pct(all, 95):F1} | {Pct(all, 99):F1} | {all[^1]:F1} | {slow} of {all.Length} ({100.0 * slow / all.Length:F1}%) | {per} |");
    var entry = new Dictionary<string, object> { ["p50"] = Pct(all, 50), ["p95"] = Pct(all, 95), ["p99"] = Pct(all, 99), ["max"] = all[^1], ["frames"] = all.Length, ["slow"] = slow };
    if (key == "ink")
    {
        entry["load_p50"] = Pct(loadMs, 50);
        entry["load_max"] = loadMs[^1];
        entry["server_p50"] = Pct(serverMs, 50);
        entry["decode_p50"] = Pct(decodeMs, 50);
        entry["paint_p50"] = Pct(paintMs, 50);
    }

    json[key] = entry;
}

File.WriteAllText(Path.Combine(outDir, "ink.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "ink.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(md.ToString());
