// Card open latency and bridge round trip, measured in Chromium: a page on the host origin, card
// frames on the card origin the host publishes for the hello plugin (as the board loads them).
// Usage: CardOpenBench <hostBaseUrl> <setupToken> <outDir> [runs=30] [roundTrips=2000]
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var host = (args.Length > 0 ? args[0] : "http://127.0.0.1:5185").TrimEnd('/');
var setupToken = args.Length > 1 ? args[1] : throw new ArgumentException("the host's first-run setup token is required");
var outDir = args.Length > 2 ? args[2] : ".";
var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30;
var rtts = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2000;
Directory.CreateDirectory(outDir);

static string Resource(string name)
{
    using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)!;
    using var r = new StreamReader(s);
    return r.ReadToEnd();
}

var benchJs = Resource("bench.js");
var echoJs = Resource("echo.js");

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using var pw = await Playwright.CreateAsync();
string[] chromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"];
await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = chromiumArgs });
// The round trips need a cross-origin-isolated page, which only a routed copy of a host page can
// be; Chromium counts a routed document as public and refuses its frame's navigation to the
// loopback card origin (Local Network Access). A second browser without that check serves them;
// it changes nothing on the message path being timed.
await using var rtBrowser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = [.. chromiumArgs, "--disable-features=LocalNetworkAccessChecks"],
});
var version = browser.Version;

// The catalogue says where the hello card lives (first-run setup through the API, as GridBench).
var setupCtx = await browser.NewContextAsync(new() { BaseURL = host });
var api = setupCtx.APIRequest;
var csrf = new Dictionary<string, string> { ["X-Labyrinth-Request"] = "1" };
var setup = await api.PostAsync("/api/setup", new() { Headers = csrf, DataObject = new { token = setupToken, userName = "bench", password = "bench password 1" } });
if (!setup.Ok) throw new InvalidOperationException($"setup failed: {setup.Status} {await setup.TextAsync()}");
var catalogue = await api.GetAsync("/api/plugins");
if (!catalogue.Ok) throw new InvalidOperationException($"GET /api/plugins: {catalogue.Status} {await catalogue.TextAsync()}");
var helloPlugin = JsonNode.Parse(await catalogue.TextAsync())!.AsArray().First(p => (string?)p!["id"] == "dev.labyrinth.hello" && (string?)p["version"] == "1.0.0")!;
var helloCard = helloPlugin["cards"]!.AsArray().First(c => (string?)c!["typeID"] == "hello")!;
var cardOrigin = (string)helloPlugin["origins"]!["1.0.0"]!;
var cfg = new { cardOrigin, frameUrl = (string)helloCard["frameUrl"]!, entryUrl = (string)helloCard["entryUrl"]! };
await setupCtx.CloseAsync();
if (!cfg.frameUrl.StartsWith(cardOrigin + "/", StringComparison.Ordinal)) throw new InvalidOperationException($"frame {cfg.frameUrl} is not on {cardOrigin}");

// The host page's own CSP (frame-src names the card origins): every bench page carries it.
using var http = new HttpClient();
using var healthz = await http.GetAsync(new Uri(host + "/healthz"));
var csp = healthz.Headers.TryGetValues("Content-Security-Policy", out var cspValues) ? string.Join(", ", cspValues) : throw new InvalidOperationException("/healthz sent no CSP");

async Task<IPage> NewPage(string path, bool bypassCsp = false, IBrowser? on = null)
{
    var ctx = await (on ?? browser).NewContextAsync(new() { BypassCSP = bypassCsp });
    // Bench-only documents (the host itself is not modified): on the card origin, a raw echo frame;
    // on the host origin, a cross-origin-isolated copy of an empty host page with the host's CSP
    // (COOP + COEP credentialless, so performance.now() has 5 µs instead of 100 µs resolution for
    // the round trips).
    await ctx.RouteAsync(cardOrigin + "/__bench/**", async route =>
    {
        var url = new Uri(route.Request.Url);
        var headers = new Dictionary<string, string> { ["Cache-Control"] = "no-store" };
        string body, type;
        if (url.AbsolutePath == "/__bench/echo.js")
        {
            body = echoJs; type = "text/javascript";
            headers["Access-Control-Allow-Origin"] = "*";
        }
        else
        {
            body = "<!doctype html><meta charset=utf-8><script src=\"/__bench/echo.js\"></script>";
            type = "text/html";
            headers["Content-Security-Policy"] = $"default-src 'none'; script-src {cardOrigin}/__bench/; frame-ancestors {host}; sandbox allow-scripts";
        }

        await route.FulfillAsync(new() { Status = 200, ContentType = type, Body = body, Headers = headers });
    });
    await ctx.RouteAsync(host + "/__bench/**", async route =>
    {
        var url = new Uri(route.Request.Url);
        var headers = new Dictionary<string, string> { ["Cache-Control"] = "no-store", ["Cross-Origin-Opener-Policy"] = "same-origin" };
        headers["Content-Security-Policy"] = csp;
        if (url.AbsolutePath == "/__bench/isolated.html")
        {
            headers["Cross-Origin-Embedder-Policy"] = "credentialless";
        }

        await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!doctype html><meta charset=utf-8><title>bench</title><body></body>", Headers = headers });
    });
    var page = await ctx.NewPageAsync();
    page.Console += (_, m) => { if (m.Type is "error" or "warning") Console.Error.WriteLine($"[browser page {path}] {m.Text}"); };
    page.SetDefaultTimeout(30000);
    await page.GotoAsync(host + path);
    await page.EvaluateAsync(benchJs, cfg);
    return page;
}

static double Pct(IReadOnlyList<double> sorted, double p)
{
    if (sorted.Count == 0) return double.NaN;
    var idx = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
    return sorted[Math.Clamp(idx, 0, sorted.Count - 1)];
}

var results = new Dictionary<string, object>();
var md = new StringBuilder();
void Log(string s) => Console.Error.WriteLine($"[browser {DateTime.Now:HH:mm:ss}] {s}");

// ---- (a) card open latency ----------------------------------------------------------------
// Frames: the real host page (/healthz: the host CSP, frame-src naming the card origins). The
// unsandboxed baseline imports the card's module into the page itself, which the host CSP forbids
// (script-src 'self'): the same page with CSP bypassed. (A routed page cannot serve here: Chromium
// treats it as public and refuses its requests to the loopback card origin.)
var openPage = await NewPage("/healthz");
var inPagePage = await NewPage("/healthz", bypassCsp: true);
var openRows = new List<(string Name, List<double> Ms, double First, string Extra)>();
foreach (var (name, call) in new[]
{
    ("(i) in-page dynamic import() + mountPlugin (unsandboxed baseline)", "i => __bench.inPage(i)"),
    ("(ii) cold sandboxed frame: insert → hello (port) → init → ready", "i => __bench.coldFrame(i)"),
    ("(iii) warm pre-started frame (port already offered): init → ready", "i => __bench.warmFrame(i, 300)"),
})
{
    var ms = new List<double>();
    var extras = new List<double>();
    double first = double.NaN;
    for (var i = 0; i < runs + 1; i++)
    {
        var r = await (call.Contains("inPage", StringComparison.Ordinal) ? inPagePage : openPage).EvaluateAsync<JsonElement>(call, i);
        var v = r.GetProperty("ms").GetDouble();
        if (i == 0) { first = v; continue; } // first run also pays HTTP/compile caches: reported apart
        ms.Add(v);
        if (r.TryGetProperty("frameReadyMs", out var fr)) extras.Add(fr.GetDouble());
    }
    ms.Sort(); extras.Sort();
    var extra = extras.Count > 0 ? $"insert→hello p50 {Pct(extras, 50):F1} ms" : "";
    openRows.Add((name, ms, first, extra));
    Log($"{name}: p50 {Pct(ms, 50):F1} ms p95 {Pct(ms, 95):F1} ms (first {first:F1}) {extra}");
}
results["cardOpen"] = openRows.Select(r => new { r.Name, runs = r.Ms.Count, p50 = Pct(r.Ms, 50), p95 = Pct(r.Ms, 95), min = r.Ms[0], max = r.Ms[^1], first = r.First, r.Extra, samples = r.Ms });
await openPage.Context.CloseAsync();
await inPagePage.Context.CloseAsync();

// ---- (b) bridge round trip ----------------------------------------------------------------
var rtPage = await NewPage("/__bench/isolated.html", on: rtBrowser);
var timer = await rtPage.EvaluateAsync<JsonElement>("() => __bench.timerResolution()");
var isolated = timer.GetProperty("crossOriginIsolated").GetBoolean();
var rtRows = new List<(string Name, List<double> Us, int Bad)>();
foreach (var (name, kind) in new[]
{
    ("raw MessagePort echo (sandboxed frame, no bootstrap)", "raw"),
    ("real bootstrap ping→pong, no host validation", "bridge"),
    ("real bootstrap ping→pong + host validation (schema.ts replica)", "bridge+validate"),
})
{
    var r = await rtPage.EvaluateAsync<JsonElement>("([k, n, c]) => __bench.roundTrips(k, n, 200, c)", new object[] { kind, rtts, isolated });
    var us = r.GetProperty("samplesMs").EnumerateArray().Select(e => e.GetDouble() * 1000).ToList();
    us.Sort();
    rtRows.Add((name, us, r.GetProperty("bad").GetInt32()));
    Log($"{name}: p50 {Pct(us, 50):F0} µs p99 {Pct(us, 99):F0} µs");
}
results["roundTrip"] = new
{
    crossOriginIsolated = isolated,
    timerStepUs = timer.GetProperty("minStepMs").GetDouble() * 1000,
    rows = rtRows.Select(r => new { r.Name, n = r.Us.Count, p50Us = Pct(r.Us, 50), p99Us = Pct(r.Us, 99), meanUs = r.Us.Average(), r.Bad }),
};
await rtPage.Context.CloseAsync();

// ---- report ---------------------------------------------------------------------------------
var inv = CultureInfo.InvariantCulture;
md.AppendLine(inv, $"Chromium {version} headless, host {host}, hello card frames on its card origin {cardOrigin}. Card open: {runs} runs each (after 1 discarded first run), page = `/healthz` on the host origin with the host CSP `{csp}` (the in-page baseline: the same page with CSP bypassed, importing the module from the card origin with CORS).");
md.AppendLine();
md.AppendLine("| card open (hello, 46 KB) | p50 ms | p95 ms | min | max | first run | notes |");
md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
foreach (var r in openRows)
{
    md.AppendLine(inv, $"| {r.Name} | {Pct(r.Ms, 50):F1} | {Pct(r.Ms, 95):F1} | {r.Ms[0]:F1} | {r.Ms[^1]:F1} | {r.First:F1} | {r.Extra} |");
}
md.AppendLine();
md.AppendLine(inv, $"Round trips: {rtts} sequential ping→pong per row after 200 warm-up, timer step {timer.GetProperty("minStepMs").GetDouble() * 1000:F1} µs (crossOriginIsolated={isolated.ToString().ToLowerInvariant()}; the isolated page is a routed copy of a host page with COEP credentialless and `credentialless` frames).");
md.AppendLine();
md.AppendLine("| round trip host ↔ sandboxed frame | p50 µs | p99 µs | mean µs | goal p50 ≤ 150 / p99 ≤ 400 |");
md.AppendLine("|---|---:|---:|---:|---|");
foreach (var r in rtRows)
{
    var ok = Pct(r.Us, 50) <= 150 && Pct(r.Us, 99) <= 400;
    md.AppendLine(inv, $"| {r.Name} | {Pct(r.Us, 50):F0} | {Pct(r.Us, 99):F0} | {r.Us.Average():F0} | {(ok ? "**yes**" : "**no**")}{(r.Bad > 0 ? $" ({r.Bad} dropped)" : "")} |");
}
await File.WriteAllTextAsync(Path.Combine(outDir, "browser.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
await File.WriteAllTextAsync(Path.Combine(outDir, "browser.md"), md.ToString());
Console.WriteLine(md.ToString());
Console.WriteLine(JsonSerializer.Serialize(new
{
    bench = "browser",
    load_average = File.ReadAllText("/proc/loadavg").Split(' ')[..3],
    open_in_page_p50_ms = Math.Round(Pct(openRows[0].Ms, 50), 1),
    open_cold_frame_p50_ms = Math.Round(Pct(openRows[1].Ms, 50), 1),
    open_warm_frame_p50_ms = Math.Round(Pct(openRows[2].Ms, 50), 1),
    round_trip_raw_p50_us = Math.Round(Pct(rtRows[0].Us, 50)),
    round_trip_bridge_validated_p50_us = Math.Round(Pct(rtRows[2].Us, 50)),
    round_trip_bridge_validated_p99_us = Math.Round(Pct(rtRows[2].Us, 99)),
}));
