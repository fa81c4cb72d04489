// The plugin dev loop, measured as an author lives it: the real `labyrinth plugin dev` (the CLI
// dll, its labyrinth-build --watch) against a real host, the card open in headless Chromium with a
// roll history, then N saves of src/Dice.svelte. For each save: save → the open card re-mounted on
// the new version showing the edit with its history kept (the card's `ready`, from the page's
// User Timing marks), broken down into watch+build, upload+install, push, catalogue, move, frame+mount.
// Baseline, in the same run and the same page: the same loop finished by a full page reload
// (build and upload of that save, then reload → the card ready again with its history).
// Usage: DevLoopBench <hostBaseUrl> <setupToken> <pluginDir> <cliDll> <outDir> [edits=20]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Playwright;

var host = args[0].TrimEnd('/');
var setupToken = args[1];
var pluginDir = args[2];
var cliDll = args[3];
var outDir = args[4];
var edits = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 20;
Directory.CreateDirectory(outDir);

static double Epoch() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
var ctx = await browser.NewContextAsync(new() { BaseURL = host, ViewportSize = new() { Width = 1280, Height = 800 } });
var csrf = new Dictionary<string, string> { ["X-Labyrinth-Request"] = "1" };
var setup = await ctx.APIRequest.PostAsync("/api/setup", new() { Headers = csrf, DataObject = new { token = setupToken, userName = "bench", password = "bench password 1" } });
if (!setup.Ok) throw new InvalidOperationException($"setup: {setup.Status} {await setup.TextAsync()}");
var tokenReply = await ctx.APIRequest.PostAsync("/api/tokens", new() { Headers = csrf, DataObject = new { name = "devloop" } });
var pat = JsonNode.Parse(await tokenReply.TextAsync())!["token"]!.GetValue<string>();

// labyrinth plugin dev, its lines timestamped as they arrive.
var lines = Channel.CreateUnbounded<(double At, string Line)>();
var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = pluginDir, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { cliDll, "plugin", "dev" }) psi.ArgumentList.Add(a);
psi.Environment["LABYRINTH_SERVER"] = host;
psi.Environment["LABYRINTH_TOKEN"] = pat;
using var dev = Process.Start(psi)!;
var devLog = new System.Text.StringBuilder();
_ = Task.Run(async () => { while (await dev.StandardOutput.ReadLineAsync() is { } l) { lock (devLog) devLog.AppendLine(l); await lines.Writer.WriteAsync((Epoch(), l)); } });
_ = Task.Run(async () => { while (await dev.StandardError.ReadLineAsync() is { } l) { lock (devLog) devLog.AppendLine("err: " + l); } });
var liveLine = new Regex(@" (?<version>\d+\.\d+\.\d+-dev\.\d+) live \(build (?<build>\d+) ms, upload (?<upload>\d+) ms\)");

async Task<(double At, string Version, double BuildMs, double UploadMs)> NextLiveAsync()
{
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    while (true)
    {
        var (at, line) = await lines.Reader.ReadAsync(cts.Token);
        var m = liveLine.Match(line);
        if (m.Success) return (at, m.Groups["version"].Value, double.Parse(m.Groups["build"].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups["upload"].Value, CultureInfo.InvariantCulture));
    }
}

try
{
    await NextLiveAsync();

    var page = await ctx.NewPageAsync();
    await page.GotoAsync("/");
    await page.GetByTestId("new-board").ClickAsync();
    await page.GetByTestId("prompt-input").FillAsync("Dev loop");
    await page.GetByTestId("prompt-ok").ClickAsync();
    await page.GetByTestId("spawn-button").ClickAsync();
    await page.GetByTestId("spawn-item-dice").ClickAsync();
    var win = page.Locator("[data-testid=window]").First;
    var card = win.FrameLocator("iframe");
    var roll = card.GetByRole(AriaRole.Button, new() { Name = "Roll a d6" });
    await roll.ClickAsync();
    await roll.ClickAsync();
    var history = card.GetByTestId("history").Locator("li");
    await Assertions.Expect(history).ToHaveCountAsync(2);
    var rolls = await history.AllInnerTextsAsync();

    var source = Path.Combine(pluginDir, "src", "Dice.svelte");
    var original = await File.ReadAllTextAsync(source);

    async Task<List<(string Name, double At, JsonElement Detail)>> MarksAsync(IPage p)
    {
        var r = await p.EvaluateAsync<JsonElement>(@"() => {
            const marks = performance.getEntriesByType('mark').filter(m => m.name.startsWith('labyrinth:'))
              .map(m => ({ name: m.name, at: performance.timeOrigin + m.startTime, detail: m.detail ?? null }));
            performance.clearMarks();
            return marks;
        }");
        return r.EnumerateArray().Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("at").GetDouble(), m.GetProperty("detail").Clone())).ToList();
    }

    async Task ShowsAsync(string heading)
    {
        await Assertions.Expect(card.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var now = await history.AllInnerTextsAsync();
        if (!now.SequenceEqual(rolls)) throw new InvalidOperationException($"history lost: {string.Join(",", now)} after {heading}");
    }

    static double ReadyAt(List<(string Name, double At, JsonElement Detail)> marks, string version) =>
        marks.Where(m => m.Name == "labyrinth:card-ready" && m.Detail.ValueKind == JsonValueKind.Object &&
                         m.Detail.GetProperty("frameUrl").GetString()!.Contains("/" + version + "/", StringComparison.Ordinal))
             .Select(m => m.At).DefaultIfEmpty(double.NaN).Last();

    // The first of each: one save may push more than one plugins change (the install, then the oldest dev version going).
    static double MarkAt(List<(string Name, double At, JsonElement Detail)> marks, string name) =>
        marks.Where(m => m.Name == name).Select(m => m.At).DefaultIfEmpty(double.NaN).First();

    await MarksAsync(page);
    var inPlace = new List<Dictionary<string, double>>();
    var baseline = new List<Dictionary<string, double>>();
    var n = 0;
    for (var i = 0; i < edits; i++)
    {
        // In place: save → the open card re-mounts on the new version.
        n++;
        var t0 = Epoch();
        await File.WriteAllTextAsync(source, original.Replace("<h1>Dice</h1>", $"<h1>Dice v{n}</h1>", StringComparison.Ordinal));
        var live = await NextLiveAsync();
        await ShowsAsync($"Dice v{n}");
        var marks = await MarksAsync(page);
        var ready = ReadyAt(marks, live.Version);
        var ev = MarkAt(marks, "labyrinth:dev-reload:event");
        var cat = MarkAt(marks, "labyrinth:dev-reload:catalogue");
        var moved = MarkAt(marks, "labyrinth:dev-reload:moved");
        var uploadStart = live.At - live.UploadMs;
        inPlace.Add(new()
        {
            ["total"] = ready - t0,
            ["watch_and_build"] = uploadStart - t0,
            ["build"] = live.BuildMs,
            ["upload_install"] = live.UploadMs,
            ["push_after_upload"] = ev - live.At,
            ["catalogue"] = cat - ev,
            ["flush_move"] = moved - cat,
            ["frame_mount"] = ready - moved,
            ["pooled"] = marks.Any(m => m.Name == "labyrinth:card-ready" && m.Detail.ValueKind == JsonValueKind.Object && m.Detail.TryGetProperty("pooled", out var p) && p.GetBoolean()) ? 1 : 0,
        });

        // Baseline: the same kind of save, shown by reloading the whole page once it is live.
        n++;
        t0 = Epoch();
        await File.WriteAllTextAsync(source, original.Replace("<h1>Dice</h1>", $"<h1>Dice v{n}</h1>", StringComparison.Ordinal));
        live = await NextLiveAsync();
        await ShowsAsync($"Dice v{n}"); // the in-place move happens anyway; then the person presses F5
        var reloadStart = Epoch();
        await page.ReloadAsync();
        await ShowsAsync($"Dice v{n}");
        var reloaded = ReadyAt(await MarksAsync(page), live.Version);
        baseline.Add(new()
        {
            ["total"] = (live.At - t0) + (reloaded - reloadStart),
            ["until_live"] = live.At - t0,
            ["page_reload_to_ready"] = reloaded - reloadStart,
        });
    }

    await File.WriteAllTextAsync(source, original);

    static double Pct(IEnumerable<double> xs, double p)
    {
        var s = xs.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (s.Length == 0) return double.NaN;
        var rank = p / 100 * (s.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return Math.Round(s[lo] + (s[hi] - s[lo]) * (rank - lo), 1);
    }

    var breakdown = inPlace[0].Keys.Where(k => k != "total").ToDictionary(k => k, k => Pct(inPlace.Select(r => r[k]), 50));
    var result = new Dictionary<string, object>
    {
        ["bench"] = "devloop",
        ["edits"] = edits,
        ["save_to_remount_p50_ms"] = Pct(inPlace.Select(r => r["total"]), 50),
        ["save_to_remount_p95_ms"] = Pct(inPlace.Select(r => r["total"]), 95),
        ["baseline_save_to_page_reload_p50_ms"] = Pct(baseline.Select(r => r["total"]), 50),
        ["baseline_save_to_page_reload_p95_ms"] = Pct(baseline.Select(r => r["total"]), 95),
        ["page_reload_to_ready_p50_ms"] = Pct(baseline.Select(r => r["page_reload_to_ready"]), 50),
        ["breakdown_p50_ms"] = breakdown,
    };
    await File.WriteAllTextAsync(Path.Combine(outDir, "devloop.json"), JsonSerializer.Serialize(new { result, inPlace, baseline }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine(JsonSerializer.Serialize(result));
}
catch
{
    lock (devLog) Console.Error.WriteLine("labyrinth plugin dev said:\n" + devLog);
    throw;
}
finally
{
    if (!dev.HasExited) dev.Kill(entireProcessTree: true);
}
