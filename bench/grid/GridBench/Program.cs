// Board pan/zoom frame times with the fractal grid on vs off (baseline), 200 windows on the board;
// and the live-card variant: 200 plugin cards of which 10 are open (live frames) and 190 closed.
// Usage: GridBench <outDir> <frames> <rounds> <name|hostBaseUrl|setupToken>...
// With several targets (the branch and a baseline build on its own host) every round measures
// each variant on each target, interleaved, in the same browser.
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var outDir = args[0];
var frames = int.Parse(args[1], CultureInfo.InvariantCulture);
var rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
var targetArgs = args[3..].Select(a => a.Split('|')).Select(p => (Name: p[0], Host: p[1].TrimEnd('/'), Token: p[2])).ToArray();
if (targetArgs.Length == 0) throw new ArgumentException("no target (name|url|token)");
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
string[] browserArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run"];
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = browserArgs,
});
// The frame's own cost. Under vsync a rAF delta is a whole number of 16.67 ms intervals plus
// timestamp jitter, so a frame that takes 5 ms and one that takes 16 ms both read 16.7: the
// vsync'd figure says whether a frame was late, not how close to late it was. A second browser
// with the frame-rate limit off (no vsync: the compositor asks for the next frame as soon as the
// last one is drawn) and every compositor stage run before a frame is drawn (raster and
// activation included, so no frame is drawn with tiles missing and nothing is pipelined into the
// next) produces frames back to back: its rAF delta is what one frame of the same scene costs,
// main thread, raster and draw. COST=0 skips it; COST_FLAGS replaces the three switches.
var costFlags = (Environment.GetEnvironmentVariable("COST_FLAGS") is { Length: > 0 } cf ? cf
    : "--disable-frame-rate-limit --disable-gpu-vsync").Split(' ', StringSplitOptions.RemoveEmptyEntries);
var measureCost = Environment.GetEnvironmentVariable("COST") != "0";
await using var costBrowser = measureCost
    ? await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = [.. browserArgs, .. costFlags] })
    : null;

// On each target: one signed-in admin (first-run setup through the API), one board with 200
// built-in windows and one with 200 plugin cards.
const int LiveCards = 10;
var targets = new List<Target>();
foreach (var (name, host, setupToken) in targetArgs)
{
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

    targets.Add(new Target(name, host, state, boardId, liveBoardId));
}

// CPU time (user + system) of every process this bench started (the Playwright driver and the
// whole browser: renderers, GPU/compositor, utility processes), from /proc. Unlike rAF deltas it
// barely moves with other people's load on a shared machine, so it is the figure to compare there.
static double TreeCpuMs()
{
    var parent = new Dictionary<int, int>();
    var ticks = new Dictionary<int, long>();
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        string stat;
        try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
        catch (IOException) { continue; }
        catch (UnauthorizedAccessException) { continue; }
        // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15).
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        parent[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
        ticks[pid] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
    }
    var self = Environment.ProcessId;
    long sum = 0;
    foreach (var (pid, t) in ticks)
    {
        for (var p = parent[pid]; p > 1 && parent.ContainsKey(p); p = parent[p])
        {
            if (p == self) { sum += t; break; }
        }
    }
    return sum * 10.0;   // USER_HZ is 100 on Linux
}

// A fresh context on the target's 200-window board (or the live-card board), grid on or off,
// every window on the page and, on the live board, every open card's frame ready.
async Task<(IBrowserContext Ctx, IPage Page)> OpenBoard(Target t, bool gridOn, bool live, IBrowser? on = null)
{
    var ctx = await (on ?? browser).NewContextAsync(new() { BaseURL = t.Host, StorageState = t.State, ViewportSize = new() { Width = 1280, Height = 800 } });
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
    await page.GotoAsync($"/boards/{Uri.EscapeDataString(live ? t.LiveBoardId : t.BoardId)}");
    await page.WaitForSelectorAsync("[data-testid=window]");
    await WaitForCount(page, "[data-testid=window]", Windows);
    if (live)
    {
        // Every open card's frame has said ready: the board is as a person would pan it.
        await WaitForCount(page, "[data-testid=plugin-renderer][data-status=ready]", LiveCards);
    }
    var layer = await page.GetAttributeAsync("[data-testid=grid-layer]", "data-grid");
    if (layer != (gridOn ? "on" : "off")) throw new InvalidOperationException($"grid layer is {layer}, wanted {(gridOn ? "on" : "off")}");
    return (ctx, page);
}

async Task<(double[] Deltas, double CpuMs)> Measure(Target t, bool gridOn, bool live = false, bool cost = false, bool pan = false)
{
    var on = cost ? costBrowser! : browser;
    var (ctx, page) = await OpenBoard(t, gridOn, live, on);
    // Every run starts from the same camera, the whole board in view: the board keeps the camera a
    // run ends with (a gesture's settle saves it), so without this each run began where the one
    // before had zoomed and panned to, and after a few runs the board was out of view.
    await page.GetByTestId("zoom-fit").ClickAsync();
    await page.WaitForTimeoutAsync(500);
    // TRACE=<dir>: a Chromium performance trace of each measured run (open it in chrome://tracing
    // or Perfetto); it costs frame time of its own, so traced runs are not comparable with untraced.
    var trace = Environment.GetEnvironmentVariable("TRACE") is { Length: > 0 } dir
        ? Path.Combine(dir, $"trace-{t.Name}-{(live ? "live" : pan ? (gridOn ? "pan" : "panoff") : gridOn ? "on" : "off")}{(cost ? "-cost" : "")}-{DateTime.UtcNow:HHmmss}.json")
        : null;
    ICDPSession? cdp = null;
    var traceEvents = new List<JsonElement>();
    var traceDone = new TaskCompletionSource();
    if (trace is not null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        cdp = await on.NewBrowserCDPSessionAsync();
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) =>
        {
            if (e is { } d) lock (traceEvents) traceEvents.AddRange(d.GetProperty("value").EnumerateArray().Select(x => x.Clone()));
        };
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => traceDone.TrySetResult();
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["transferMode"] = "ReportEvents",
            ["traceConfig"] = new { includedCategories = new[] { "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "blink", "cc", "viz", "gpu", "toplevel", "benchmark", "v8", "v8.execute" } },
        });
    }
    var cpuBefore = TreeCpuMs();
    var deltas = await page.EvaluateAsync<double[]>(framesJs, new { frames, pan });
    var cpuMs = TreeCpuMs() - cpuBefore;
    if (cdp is not null)
    {
        await cdp.SendAsync("Tracing.end");
        await traceDone.Task.WaitAsync(TimeSpan.FromSeconds(120));
        lock (traceEvents) File.WriteAllText(trace!, JsonSerializer.Serialize(new { traceEvents }));
        await cdp.DetachAsync();
    }
    await ctx.CloseAsync();
    return (deltas, cpuMs);
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

// Variants to measure (VARIANTS=live,on to skip one); every one on every target, interleaved.
// "pan" (only when asked for): the 200-window board with the grid, zoomed to about 0.47x, then
// panned in a circle without zooming (frames.js), the scene a drag of the board is; "panoff" the
// same with the grid layer off.
var variants = (Environment.GetEnvironmentVariable("VARIANTS") is { Length: > 0 } v ? v : "on,off,live").Split(',');
static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

// One discarded run each way first: JIT, font and image caches, the first layout of 200 windows.
// Modes: "vsync" (the browser as a person runs it) and, unless COST=0, "cost" (frame-rate limit off).
var modes = measureCost ? new[] { "vsync", "cost" } : ["vsync"];
foreach (var t in targets)
{
    foreach (var key in variants)
    {
        foreach (var mode in modes) await Measure(t, key is not ("off" or "panoff"), live: key == "live", cost: mode == "cost", pan: key is "pan" or "panoff");
    }
}
var results = modes.ToDictionary(m => m, _ => targets.ToDictionary(t => t.Name, _ => variants.ToDictionary(k => k, _ => new List<double[]>())));
var cpu = modes.ToDictionary(m => m, _ => targets.ToDictionary(t => t.Name, _ => variants.ToDictionary(k => k, _ => new List<double>())));
var loads = new List<string>();
for (var r = 0; r < rounds; r++)
{
    // Interleaved (and the order reversed every other round) so drift in machine load hits every
    // variant, mode and build alike.
    var runs = variants.SelectMany(k => modes.SelectMany(m => targets.Select(t => (t, k, m)))).ToArray();
    foreach (var (t, key, mode) in r % 2 == 0 ? runs : runs.Reverse())
    {
        var load = Load();
        var (d, cpuMs) = await Measure(t, key is not ("off" or "panoff"), live: key == "live", cost: mode == "cost", pan: key is "pan" or "panoff");
        results[mode][t.Name][key].Add(d);
        cpu[mode][t.Name][key].Add(cpuMs / d.Length);
        loads.Add(load);
        var s = d.Order().ToArray();
        Console.Error.WriteLine(FormattableString.Invariant($"round {r + 1} {t.Name} {key} {mode}: {d.Length} frames, p50 {Pct(s, 50):F1} p95 {Pct(s, 95):F1} ms, missed {d.Count(x => x > 17.5)}, browser CPU {cpuMs / d.Length:F1} ms/frame (load {load})"));
    }
}

// SHOTS=<dir>: after the measured rounds, a screenshot of each board per build at the same three
// cameras: "Fit" (the whole board, about 0.17×), then zoomed in at the top-left by four wheel
// notches (about 0.47×) and by three more (about 1.0×), to look at what the board draws.
if (Environment.GetEnvironmentVariable("SHOTS") is { Length: > 0 } shots)
{
    Directory.CreateDirectory(shots);
    foreach (var (t, mode) in targets.SelectMany(t => modes.Select(m => (t, m))))
    {
        foreach (var key in variants.Where(k => k != "off"))
        {
            // In the cost browser too: it must draw the same board as the vsync'd one.
            var prefix = mode == "cost" ? $"{t.Name}-cost" : t.Name;
            var (ctx, page) = await OpenBoard(t, gridOn: true, live: key == "live", mode == "cost" ? costBrowser : null);
            await page.GetByTestId("zoom-fit").ClickAsync();
            await page.WaitForTimeoutAsync(500);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{prefix}-{key}-fit.png") });
            foreach (var (notches, name) in new[] { (4, "zoom047"), (3, "zoom1") })
            {
                await page.EvaluateAsync("""
                    n => {
                      const c = document.querySelector('[data-testid=canvas]');
                      const r = c.getBoundingClientRect();
                      for (let i = 0; i < n; i++)
                        c.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: r.left + 100, clientY: r.top + 80, bubbles: true, cancelable: true }));
                    }
                    """, notches);
                await page.WaitForTimeoutAsync(500);
                await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{prefix}-{key}-{name}.png") });
            }
            await ctx.CloseAsync();
        }
    }
}

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"on/off: board with {Windows} built-in windows (form/metadata/chat; no plugin frames), grid layer on/off; live: {Windows} plugin cards (timer/hello/note), {LiveCards} open with live frames and the rest closed, grid on; pan (when measured): the built-in board at about 0.47×, panned in a circle with no zoom; 1280×800, {frames} frames of wheel zoom + shift-wheel pan per run (the same scenes in every mode), {rounds} interleaved rounds after one discarded warm-up run each; chromium {browser.Version} headless, --disable-gpu (software raster); 1-min load average at the start of each run: {string.Join(", ", loads)}.");
md.AppendLine();
md.AppendLine("- **vsync** (the keys `grid.*_p50_ms` / `grid.*_p95_ms`, unchanged): requestAnimationFrame deltas in the browser as a person runs it, 60 Hz. Each is a whole number of 16.67 ms intervals plus timestamp jitter, so 16.7–16.8 means on time however close to the budget the frame was; a delta above 17.5 ms is a missed frame (`grid.*_missed`).");
if (measureCost)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"- **cost** (the keys `grid.*_cost_p50_ms` / `grid.*_cost_p95_ms`): the same scenes in a second browser with `{string.Join(' ', costFlags)}`: frames are produced back to back, each drawn only after all of its stages (main thread, raster, activation) ran, so a rAF delta is what one frame costs; not quantised by vsync. A frame fits the 60 Hz budget when it is ≤ 16.7 ms; on a loaded machine it includes time waiting for a core.");
}
md.AppendLine("- browser CPU ms per frame: user + system time of every browser process over the run, divided by the frames.");
md.AppendLine();
md.AppendLine("| build | variant | mode | p50 ms | p95 ms | p99 ms | max ms | missed frames (delta > 17.5 ms) | browser CPU ms per frame | runs (p50/p95) |");
md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
var json = new Dictionary<string, object>();
foreach (var name in targets.Select(t => t.Name))
{
    var perTarget = new Dictionary<string, object>();
    foreach (var key in variants)
    {
        foreach (var mode in modes)
        {
            var runs = results[mode][name][key];
            var all = runs.SelectMany(x => x).Order().ToArray();
            var per = string.Join(", ", runs.Select(x => { var s = x.Order().ToArray(); return FormattableString.Invariant($"{Pct(s, 50):F1}/{Pct(s, 95):F1}"); }));
            var slow = all.Count(x => x > 17.5);
            var cpuPerFrame = cpu[mode][name][key].Average();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {key} | {mode} | {Pct(all, 50):F1} | {Pct(all, 95):F1} | {Pct(all, 99):F1} | {all[^1]:F1} | {slow} of {all.Length} ({100.0 * slow / all.Length:F1}%) | {cpuPerFrame:F1} | {per} |");
            perTarget[mode == "vsync" ? key : $"{key}_cost"] = new { p50 = Pct(all, 50), p95 = Pct(all, 95), p99 = Pct(all, 99), max = all[^1], frames = all.Length, slow, cpu_ms_per_frame = cpuPerFrame };
        }
    }
    json[name] = perTarget;
}
json["loads"] = loads;
if (measureCost) json["cost_flags"] = string.Join(' ', costFlags);
File.WriteAllText(Path.Combine(outDir, "grid.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "grid.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(md.ToString());

internal sealed record Target(string Name, string Host, string State, string BoardId, string LiveBoardId);
