// Card isolation in headless Chromium, side by side in one run (bench/isolation/run.sh):
//  (1) host setTimeout lateness while a sandboxed card posts a ~50 MB object to its parent, with a
//      host listener that reads event.data (baseline) vs one that checks event.source and reads only
//      event.ports (the card bridge's FrameWatch);
//  (2) ticks of a second card's 50 ms timer while another card spins, both frames on one origin
//      (baseline: every card on the host's origin) vs each on its own *.cards.localhost origin.
// Pages are served by Playwright's router, so no server runs; the origins are what Chromium sees.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

const string Host = "http://host.localhost:5999";

string HostPage(string body) => $"<!doctype html><meta charset=utf-8><body><script>{body}</script></body>";

// A card that posts one big object to its parent when told (a message on its own port).
const string Poster = """
<!doctype html><script>
const ch = new MessageChannel();
ch.port1.onmessage = () => {
  const big = Array.from({ length: 600000 }, (_, i) => ({ i, s: 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl' }));
  parent.postMessage({ type: 'x', big }, '*');
  ch.port1.postMessage('posted');
};
parent.postMessage({ type: 'labyrinth:hello' }, '*', [ch.port2]);
</script>
""";

const string Spinner = "<!doctype html><script>setTimeout(() => { for (;;) {} }, 300);</script>";

const string Ticker = """
<!doctype html><script>
const ch = new MessageChannel();
parent.postMessage({ type: 'labyrinth:hello' }, '*', [ch.port2]);
let n = 0; setInterval(() => ch.port1.postMessage(++n), 50);
</script>
""";

async Task<IPage> PageAsync(Func<string, string?> route)
{
    var context = await browser.NewContextAsync();
    await context.RouteAsync("**/*", async r =>
    {
        var body = route(r.Request.Url);
        if (body is null) { await r.AbortAsync(); return; }
        await r.FulfillAsync(new() { Status = 200, ContentType = "text/html; charset=utf-8", Body = body });
    });
    var page = await context.NewPageAsync();
    return page;
}

// (1) lateness of a 10 ms setTimeout chain in the host while the card posts.
async Task<double> LatenessAsync(bool readData, bool post = true)
{
    var hostJs = $$"""
window.__run = () => new Promise((resolve) => {
  const f = document.createElement('iframe');
  f.setAttribute('sandbox', 'allow-scripts');
  f.src = 'http://poster.cards.localhost:5999/';
  let port = null;
  addEventListener('message', (e) => {
    if (e.source !== f.contentWindow) return;
    {{(readData ? "const d = e.data; if (d && d.big) window.__len = d.big.length;" : "")}}
    if (!port && e.ports.length === 1) { port = e.ports[0]; port.onmessage = () => {}; start(); }
  });
  let worst = 0;
  function start() {
    let last = performance.now(); let n = 0;
    const step = () => {
      const now = performance.now(); worst = Math.max(worst, now - last - 10); last = now;
      if (++n < 300) setTimeout(step, 10); else { f.remove(); resolve(worst); }
    };
    setTimeout(step, 10);
    {{(post ? "setTimeout(() => port.postMessage('go'), 200);" : "")}}
  }
  document.body.append(f);
});
""";
    var page = await PageAsync(u => u.StartsWith(Host, StringComparison.Ordinal) ? HostPage(hostJs) : u.StartsWith("http://poster.cards.localhost", StringComparison.Ordinal) ? Poster : null);
    await page.GotoAsync(Host + "/");
    var worst = await page.EvaluateAsync<double>("window.__run()");
    await page.Context.CloseAsync();
    return worst;
}

// (2) ticks seen in 3 s from the ticker while the spinner spins.
async Task<int> TicksAsync(bool sameOrigin)
{
    var spin = "http://a.cards.localhost:5999/spin";
    var tick = sameOrigin ? "http://a.cards.localhost:5999/tick" : "http://b.cards.localhost:5999/tick";
    var hostJs = $$"""
window.__run = () => new Promise((resolve) => {
  const add = (src) => { const f = document.createElement('iframe'); f.setAttribute('sandbox', 'allow-scripts'); f.src = src; document.body.append(f); return f; };
  const t = add('{{tick}}');
  let ticks = 0, counting = false;
  addEventListener('message', (e) => {
    if (e.source !== t.contentWindow || e.ports.length !== 1) return;
    e.ports[0].onmessage = () => { if (counting) ticks++; };
    const s = add('{{spin}}');
    s.addEventListener('load', () => setTimeout(() => { counting = true; setTimeout(() => { counting = false; resolve(ticks); }, 3000); }, 600));
  });
});
""";
    var page = await PageAsync(u => u.StartsWith(Host, StringComparison.Ordinal) ? HostPage(hostJs) : u.EndsWith("/spin", StringComparison.Ordinal) ? Spinner : u.EndsWith("/tick", StringComparison.Ordinal) ? Ticker : null);
    await page.GotoAsync(Host + "/");
    var ticks = await page.EvaluateAsync<int>("window.__run()");
    await Task.WhenAny(page.Context.CloseAsync(), Task.Delay(10_000));
    return ticks;
}

static double Median(List<double> v) { v.Sort(); return v.Count == 0 ? double.NaN : v[v.Count / 2]; }

var readMs = new List<double>(); var sourceMs = new List<double>(); var idleMs = new List<double>();
var sameTicks = new List<double>(); var ownTicks = new List<double>();
for (var i = 0; i < runs; i++)
{
    idleMs.Add(await LatenessAsync(readData: false, post: false));
    readMs.Add(await LatenessAsync(readData: true));
    sourceMs.Add(await LatenessAsync(readData: false));
    sameTicks.Add(await TicksAsync(sameOrigin: true));
    ownTicks.Add(await TicksAsync(sameOrigin: false));
    Console.Error.WriteLine($"run {i + 1}: lateness no post {idleMs[^1]:F0} ms, read {readMs[^1]:F0} ms, source-only {sourceMs[^1]:F0} ms; ticks same-origin {sameTicks[^1]}, own origin {ownTicks[^1]} (of 60)");
}

Console.WriteLine(JsonSerializer.Serialize(new
{
    bench = "isolation",
    runs,
    host_lateness_ms_no_post_p50 = Math.Round(Median(idleMs), 1),
    host_lateness_ms_reading_data_p50 = Math.Round(Median(readMs), 1),
    host_lateness_ms_source_and_ports_only_p50 = Math.Round(Median(sourceMs), 1),
    host_lateness_ms_source_and_ports_only_max = Math.Round(sourceMs.Max(), 1),
    ticks_of_60_same_origin_p50 = Median(sameTicks),
    ticks_of_60_own_origin_p50 = Median(ownTicks),
}));
