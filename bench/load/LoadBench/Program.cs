// Drives a running Labyrinth host the way members do, and measures it.
//
//   LoadBench load   <url> <setupToken> <members> <seconds> <ratePerMember>   paced: each member sends <rate> requests/s
//   LoadBench stress <url> <setupToken> <members> <seconds>                   closed loop (no think time) + GET /api/auth/me floor
//   LoadBench writes <url> <setupToken> <seconds> <rawDbDir> [bareUrl]        card-state PUTs (1 and 16 clients) vs raw SQLite WAL+FULL inserts
//                                                                              and (with bareUrl) the same PUT on a bare Kestrel endpoint (bench/writes/BareWrites)
//   LoadBench payload <url> <setupToken> <seconds> <clients> [markerFile]      card-state PUTs only, after a 3 s warm-up (for a profile)
//
// A member's cycle: list boards → read the board → layout PUT (moves its card by 1) → payload PUT
// (a counter). Every acknowledged write is remembered; at the end each member's board and card
// state are read back and compared ("lost writes"). Prints one JSON object on stdout.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

var mode = args[0];
var url = new Uri(args[1]);
var token = args[2];
const string Password = "bench-password-123";
const string PluginId = "dev.labyrinth.hello";
const string TypeId = "hello";

var admin = NewClient();
await Ok(await admin.PostAsJsonAsync("/api/setup", new { token, userName = "admin", password = Password }), "setup");

switch (mode)
{
    case "load":
    {
        var members = await MembersAsync(int.Parse(args[3]));
        var result = await RunAsync(members, TimeSpan.FromSeconds(int.Parse(args[4])), paced: double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine(JsonSerializer.Serialize(result));
        break;
    }
    case "stress":
    {
        var members = await MembersAsync(int.Parse(args[3]));
        var seconds = TimeSpan.FromSeconds(int.Parse(args[4]));
        var floor = await FloorAsync(members, seconds);
        var stress = await RunAsync(members, seconds, paced: null);
        var floor2 = await FloorAsync(members, seconds);
        var floorRps = (floor.Rps + floor2.Rps) / 2;
        Console.WriteLine(JsonSerializer.Serialize(new { stress, floor, floor2, floorRps, ratio = stress.Rps / floorRps }));
        break;
    }
    case "writes":
    {
        var seconds = TimeSpan.FromSeconds(int.Parse(args[3]));
        var rawDir = args[4];
        var members = await MembersAsync(16);
        var raw1 = RawInserts(rawDir, seconds, upsertOneRow: false);
        var upsert1 = RawInserts(rawDir, seconds, upsertOneRow: true);
        // The bare endpoint runs just before and just after the host's single client, so the three
        // single-client figures see the same machine.
        var bare = args.Length > 5 ? new Member(NewClient(new Uri(args[5])), Guid.NewGuid().ToString(), "w_bare") : null;
        var bare1 = bare is null ? null : await PayloadLoopAsync([bare], seconds);
        var c1 = await PayloadLoopAsync(members.Take(1).ToList(), seconds);
        var bare2 = bare is null ? null : await PayloadLoopAsync([bare], seconds);
        var c16 = await PayloadLoopAsync(members, seconds);
        var raw2 = RawInserts(rawDir, seconds, upsertOneRow: false);
        var upsert2 = RawInserts(rawDir, seconds, upsertOneRow: true);
        var rawRps = (raw1 + raw2) / 2;
        var lost = 0;
        foreach (var m in members)
        {
            lost += await VerifyPayloadAsync(m) ? 0 : 1;
        }

        var bareRps = bare1 is null || bare2 is null ? (double?)null : (bare1.Rps + bare2.Rps) / 2;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            rawInsertsPerSecond = new[] { raw1, raw2 },
            rawUpsertsPerSecond = new[] { upsert1, upsert2 },
            c1VsRawUpsert = c1.Rps / ((upsert1 + upsert2) / 2),
            c1 = c1,
            c16 = c16,
            c1VsRaw = c1.Rps / rawRps,
            bare = bare1 is null ? null : new[] { bare1, bare2 },
            bareVsRaw = bareRps / rawRps,
            c1VsBare = c1.Rps / bareRps,
            lostWrites = lost,
        }));
        break;
    }
    case "payload":
    {
        // Card-state PUTs only, for profiling the host under one steady kind of request.
        var members = await MembersAsync(int.Parse(args[4]));
        // A warm-up, then (with a marker path) a file that tells a profiler the measured phase starts.
        await PayloadLoopAsync(members, TimeSpan.FromSeconds(3));
        if (args.Length > 5)
        {
            await File.WriteAllTextAsync(args[5], "measure");
        }

        var result = await PayloadLoopAsync(members, TimeSpan.FromSeconds(int.Parse(args[3])));
        Console.WriteLine(JsonSerializer.Serialize(result));
        break;
    }
    default:
        throw new ArgumentException("mode: load | stress | writes | payload");
}

HttpClient NewClient(Uri? baseUrl = null)
{
    var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 4 };
    var client = new HttpClient(handler) { BaseAddress = baseUrl ?? url, Timeout = TimeSpan.FromSeconds(60) };
    client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
    return client;
}

async Task Ok(HttpResponseMessage response, string what)
{
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

async Task<List<Member>> MembersAsync(int count)
{
    var list = new Member[count];
    var gate = new SemaphoreSlim(8);
    await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var name = $"m{i:D4}{Guid.NewGuid().ToString("N")[..6]}";
            await Ok(await admin.PostAsJsonAsync("/api/admin/users", new { userName = name, password = Password, role = "member" }), "create user");
            var client = NewClient();
            await Ok(await client.PostAsJsonAsync("/api/auth/login", new { userName = name, password = Password }), "login");
            var created = await client.PostAsJsonAsync("/api/boards", new { name = "Bench " + i });
            await Ok(created, "create board");
            var board = await created.Content.ReadFromJsonAsync<JsonElement>();
            var boardId = board.GetProperty("id").GetString()!;
            var spawn = new HttpRequestMessage(HttpMethod.Post, $"/api/boards/{boardId}/windows")
            {
                Content = JsonContent.Create(new { kind = "plugin", plugin = new { pluginId = PluginId, typeID = TypeId, props = new { name = "Ada" } } }),
            };
            spawn.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            var spawned = await client.SendAsync(spawn);
            await Ok(spawned, "spawn");
            var result = await spawned.Content.ReadFromJsonAsync<JsonElement>();
            list[i] = new Member(client, boardId, result.GetProperty("window").GetProperty("id").GetString()!);
        }
        finally
        {
            gate.Release();
        }
    }));
    return [.. list];
}

async Task<RunResult> RunAsync(List<Member> members, TimeSpan duration, double? paced)
{
    var recorder = new Recorder();
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(members.Select(async (m, index) =>
    {
        var period = paced is { } rate ? TimeSpan.FromSeconds(1 / rate) : TimeSpan.Zero;
        // Spread the members' phases over one period so they do not all fire together.
        var next = paced is null ? TimeSpan.Zero : period * ((double)index / members.Count);
        for (var step = 0; ; step++)
        {
            if (paced is not null)
            {
                var wait = next - stop.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            if (stop.Elapsed >= duration)
            {
                break;
            }

            // Latency counts from the scheduled start (no coordinated omission when the host falls behind).
            var scheduled = paced is null ? stop.Elapsed : next;
            var op = (Op)(step % 4);
            bool ok;
            try
            {
                ok = await m.StepAsync(op);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                ok = false;
            }

            recorder.Add(op, (stop.Elapsed - scheduled).TotalMilliseconds, ok);
            next += period;
        }
    }));
    var elapsed = stop.Elapsed.TotalSeconds;
    var lost = 0;
    foreach (var m in members)
    {
        lost += await m.VerifyAsync() ? 0 : 1;
    }

    return recorder.Result(elapsed, lost, members.Count);
}

async Task<RunResult> FloorAsync(List<Member> members, TimeSpan duration)
{
    var recorder = new Recorder();
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(members.Select(async m =>
    {
        while (stop.Elapsed < duration)
        {
            var start = stop.Elapsed;
            bool ok;
            try
            {
                using var r = await m.Client.GetAsync("/api/auth/me");
                await r.Content.ReadAsByteArrayAsync();
                ok = r.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                ok = false;
            }

            recorder.Add(Op.Me, (stop.Elapsed - start).TotalMilliseconds, ok);
        }
    }));
    return recorder.Result(stop.Elapsed.TotalSeconds, 0, members.Count);
}

async Task<RunResult> PayloadLoopAsync(List<Member> members, TimeSpan duration)
{
    var recorder = new Recorder();
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(members.Select(async m =>
    {
        while (stop.Elapsed < duration)
        {
            var start = stop.Elapsed;
            bool ok;
            try
            {
                ok = await m.StepAsync(Op.Payload);
            }
            catch (HttpRequestException)
            {
                ok = false;
            }

            recorder.Add(Op.Payload, (stop.Elapsed - start).TotalMilliseconds, ok);
        }
    }));
    return recorder.Result(stop.Elapsed.TotalSeconds, 0, members.Count);
}

async Task<bool> VerifyPayloadAsync(Member m) => await m.VerifyAsync();

// One transaction per insert, WAL + synchronous=FULL: what the payload PUT is compared with. With
// upsertOneRow the statement is the product's (insert or bump the version of one card's row), so
// the WAL is rewritten in place rather than grown: the like-for-like floor.
static double RawInserts(string dir, TimeSpan duration, bool upsertOneRow)
{
    Directory.CreateDirectory(dir);
    var file = Path.Combine(dir, $"raw-{Guid.NewGuid():N}.db");
    using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
    connection.Open();
    using (var setup = connection.CreateCommand())
    {
        setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " +
                            "CREATE TABLE CardPayloads (BoardId TEXT NOT NULL, WindowId TEXT NOT NULL, PayloadJson TEXT NOT NULL, Version INTEGER NOT NULL, UpdatedAt TEXT NOT NULL, PRIMARY KEY (BoardId, WindowId));";
        setup.ExecuteNonQuery();
    }

    using var insert = connection.CreateCommand();
    insert.CommandText = upsertOneRow
        ? "INSERT INTO CardPayloads VALUES ($b, $w, $p, 1, $t) ON CONFLICT (BoardId, WindowId) DO UPDATE SET PayloadJson = excluded.PayloadJson, Version = Version + 1, UpdatedAt = excluded.UpdatedAt"
        : "INSERT INTO CardPayloads VALUES ($b, $w, $p, 1, $t)";
    var b = insert.Parameters.Add("$b", SqliteType.Text);
    var w = insert.Parameters.Add("$w", SqliteType.Text);
    var p = insert.Parameters.Add("$p", SqliteType.Text);
    var t = insert.Parameters.Add("$t", SqliteType.Text);
    insert.Prepare();
    var payload = Member.PayloadText(0);
    var board = Guid.NewGuid().ToString().ToUpperInvariant();
    var stop = Stopwatch.StartNew();
    var n = 0;
    while (stop.Elapsed < duration)
    {
        using var tx = connection.BeginTransaction();
        insert.Transaction = tx;
        b.Value = board;
        w.Value = upsertOneRow ? "w_0" : "w_" + n.ToString("x16");
        p.Value = payload;
        t.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
        insert.ExecuteNonQuery();
        tx.Commit();
        n++;
    }

    var rate = n / stop.Elapsed.TotalSeconds;
    connection.Close();
    SqliteConnection.ClearAllPools();
    foreach (var f in Directory.EnumerateFiles(dir, Path.GetFileName(file) + "*"))
    {
        File.Delete(f);
    }

    return rate;
}

enum Op { List, Read, Layout, Payload, Me }

sealed class Member(HttpClient client, string boardId, string windowId)
{
    private JsonNode? board;
    private long ackedBoardVersion = -1;
    private double ackedX;
    private long ackedPayloadVersion;
    private long ackedCounter = -1;
    private long counter;

    public HttpClient Client => client;

    public static string PayloadText(long n) => JsonSerializer.Serialize(new { n, text = new string('x', 200) });

    public async Task<bool> StepAsync(Op op)
    {
        switch (op)
        {
            case Op.List:
            {
                using var r = await client.GetAsync("/api/boards");
                await r.Content.ReadAsByteArrayAsync();
                return r.IsSuccessStatusCode;
            }
            case Op.Read:
            {
                using var r = await client.GetAsync($"/api/boards/{boardId}");
                if (!r.IsSuccessStatusCode)
                {
                    return false;
                }

                board = JsonNode.Parse(await r.Content.ReadAsStringAsync());
                return true;
            }
            case Op.Layout:
            {
                if (board is null)
                {
                    return true; // the cycle reads before it writes
                }

                var window = board["windows"]![0]!;
                var x = window["x"]!.GetValue<double>() + 1;
                window["x"] = x;
                var body = new JsonObject { ["viewport"] = board["viewport"]!.DeepClone(), ["windows"] = board["windows"]!.DeepClone() };
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/boards/{boardId}/layout")
                {
                    Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("If-Match", $"\"{board["version"]!.GetValue<long>()}\"");
                using var r = await client.SendAsync(request);
                if (!r.IsSuccessStatusCode)
                {
                    return false;
                }

                board = JsonNode.Parse(await r.Content.ReadAsStringAsync());
                ackedBoardVersion = board!["version"]!.GetValue<long>();
                ackedX = x;
                return true;
            }
            case Op.Payload:
            {
                var n = ++counter;
                using var r = await client.PutAsync($"/api/cards/{boardId}/{windowId}/payload",
                    new StringContent("{\"payload\":" + PayloadText(n) + "}", Encoding.UTF8, "application/json"));
                if (!r.IsSuccessStatusCode)
                {
                    return false;
                }

                var version = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
                if (version != ackedPayloadVersion + 1)
                {
                    return false; // another write slipped in, or one was lost
                }

                ackedPayloadVersion = version;
                ackedCounter = n;
                return true;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>The stored board and card state are the last ones acknowledged.</summary>
    public async Task<bool> VerifyAsync()
    {
        if (ackedBoardVersion >= 0)
        {
            var stored = JsonNode.Parse(await client.GetStringAsync($"/api/boards/{boardId}"))!;
            if (stored["version"]!.GetValue<long>() != ackedBoardVersion || stored["windows"]![0]!["x"]!.GetValue<double>() != ackedX)
            {
                return false;
            }
        }

        if (ackedCounter >= 0)
        {
            var stored = JsonNode.Parse(await client.GetStringAsync($"/api/cards/{boardId}/{windowId}/payload"))!;
            if (stored["version"]!.GetValue<long>() != ackedPayloadVersion || stored["payload"]!["n"]!.GetValue<long>() != ackedCounter)
            {
                return false;
            }
        }

        return true;
    }
}

sealed class Recorder
{
    private readonly Lock gate = new();
    private readonly Dictionary<Op, List<double>> latencies = [];
    private readonly Dictionary<Op, int> errors = [];

    public void Add(Op op, double ms, bool ok)
    {
        lock (gate)
        {
            (latencies.TryGetValue(op, out var list) ? list : latencies[op] = []).Add(ms);
            if (!ok)
            {
                errors[op] = errors.GetValueOrDefault(op) + 1;
            }
        }
    }

    public RunResult Result(double seconds, int lostWrites, int members)
    {
        var all = latencies.Values.SelectMany(l => l).OrderBy(x => x).ToList();
        var ops = latencies.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv =>
        {
            var sorted = kv.Value.OrderBy(x => x).ToList();
            return new OpResult(sorted.Count, Math.Round(sorted.Count / seconds, 1), P(sorted, 0.5), P(sorted, 0.99), errors.GetValueOrDefault(kv.Key));
        });
        return new RunResult(members, Math.Round(seconds, 1), all.Count, Math.Round(all.Count / seconds, 1), P(all, 0.5), P(all, 0.99), errors.Values.Sum(), lostWrites, ops);
    }

    private static double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 2);
}

sealed record OpResult(int Count, double Rps, double P50Ms, double P99Ms, int Errors);

sealed record RunResult(int Members, double Seconds, int Requests, double Rps, double P50Ms, double P99Ms, int Errors, int LostWrites, Dictionary<string, OpResult> Ops);
