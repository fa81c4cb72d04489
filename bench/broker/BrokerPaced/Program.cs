// Open-loop (paced) driver: sends <rate> POSTs a second for <seconds> whatever the server's
// answers take, so a server that falls behind shows as latency instead of as a lower request rate
// (no coordinated omission: each latency counts from the request's scheduled start, not from when
// it was actually sent). A request not answered <grace> seconds after the last one was scheduled
// is counted as not completed.
//
//   BrokerPaced <url> <rate> <seconds> <grace> <bodyFile> ["Header: value"]...
//
// An answer counts as ok when its status is 2xx and, for NDJSON answers (the broker), the body
// has the stream's {"end":true} line. Prints one JSON object on stdout.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
var grace = double.Parse(args[3], CultureInfo.InvariantCulture);
var body = File.ReadAllBytes(args[4]);
var headers = args.Skip(5).Select(h => (Name: h[..h.IndexOf(':')].Trim(), Value: h[(h.IndexOf(':') + 1)..].Trim())).ToList();

using var client = new HttpClient(new SocketsHttpHandler
{
    UseCookies = false,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    AutomaticDecompression = DecompressionMethods.None,
}) { Timeout = Timeout.InfiniteTimeSpan };

var total = (int)Math.Round(rate * seconds);
var latencies = new double[total];
var outcome = new int[total]; // 0 pending, 1 ok, 2 non-2xx, 3 error, 4 2xx without the end line
var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
using var stop = new CancellationTokenSource();
var tasks = new List<Task>(total);
var clock = Stopwatch.StartNew();

for (var i = 0; i < total; i++)
{
    var due = i / rate;
    var wait = due - clock.Elapsed.TotalSeconds;
    if (wait > 0.001)
    {
        await Task.Delay(TimeSpan.FromSeconds(wait));
    }

    tasks.Add(SendAsync(i, due));
}

stop.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, seconds + grace - clock.Elapsed.TotalSeconds)));
try
{
    await Task.WhenAll(tasks);
}
catch (OperationCanceledException)
{
}

var ok = latencies.Where((_, i) => outcome[i] == 1).Order().ToArray();
var answered = latencies.Where((_, i) => outcome[i] is 1 or 2 or 4).Order().ToArray();
double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
Console.WriteLine(JsonSerializer.Serialize(new
{
    rate,
    seconds,
    sent = total,
    completed = answered.Length,
    ok = ok.Length,
    non2xx = outcome.Count(o => o == 2),
    noEnd = outcome.Count(o => o == 4),
    errors = outcome.Count(o => o == 3),
    notCompleted = outcome.Count(o => o == 0),
    statuses = statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
    p50_ms = Round(P(answered, 0.50)),
    p90_ms = Round(P(answered, 0.90)),
    p99_ms = Round(P(answered, 0.99)),
    max_ms = Round(answered.Length == 0 ? double.NaN : answered[^1]),
}));

static double? Round(double v) => double.IsNaN(v) ? null : Math.Round(v, 3);

async Task SendAsync(int i, double due)
{
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        var text = await response.Content.ReadAsStringAsync(stop.Token);
        latencies[i] = (clock.Elapsed.TotalSeconds - due) * 1000;
        statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        var ndjson = response.Content.Headers.ContentType?.MediaType == "application/x-ndjson";
        outcome[i] = !response.IsSuccessStatusCode ? 2 : ndjson && !text.Contains("\"end\":true", StringComparison.Ordinal) ? 4 : 1;
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        // not completed in time: stays 0
    }
    catch (HttpRequestException)
    {
        outcome[i] = 3;
    }
}
