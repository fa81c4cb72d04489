// Drives one host, or two instances sharing PostgreSQL and Redis, and measures (bench/cluster/run.sh):
//
//   mix          the same request mix on every configuration: each member signs in once, then cycles
//                boards list → board read → layout PUT (board write) → card state PUT → GET /api/plugins,
//                its requests alternated over the instances given. 1 client (latency), then C clients
//                (throughput) in a closed loop.
//   kill         (two instances) an admin kills a plugin on A; a member's /hubs/plugins connection on B
//                (WebSockets, as a browser) hears pluginKilled. Re-enabled between rounds.
//   revoke       (two instances) a network grant revoked on A ends a broker stream running through B.
//   bus          (two instances) a card's publish on A, received by the same person's tab on B, beside
//                a tab on A (the same-instance baseline), from the same publish.
//
// Settings come from the environment (CB_*: see run.sh). Where the time goes is read from Redis itself:
// the bench subscribes to the cluster's channels (signals, SignalR backplane) and to keyspace events
// on the barrier's "applied" hash, so each kill splits into request + commit + reload on A → B
// reloaded → barrier seen complete → SignalR delivery, without instrumenting the host.
// Prints one JSON object on stdout.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

const string Password = "bench-password-123";
const string MixPlugin = "dev.bench.cluster";
const string KillPlugin = "dev.bench.clusterkill";
const string BusTopic = "bench:tick:sent";

var label = Env("CB_LABEL", "run");
var urls = Env("CB_URLS", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray();
var token = Env("CB_TOKEN", "");
var seconds = double.Parse(Env("CB_SECONDS", "10"), System.Globalization.CultureInfo.InvariantCulture);
var concurrency = int.Parse(Env("CB_CONCURRENCY", "8"));
var rounds = int.Parse(Env("CB_ROUNDS", "30"));
var busRounds = int.Parse(Env("CB_BUS_ROUNDS", "200"));
var redisConfig = Env("CB_REDIS", "");
var prefix = Env("CB_PREFIX", "labyrinth");
var upstream = Env("CB_UPSTREAM", "");
var upstreamKey = Env("CB_UPSTREAM_KEY", "");
var cluster = urls.Length > 1 && redisConfig.Length > 0;

Log($"{label}: setting up on {string.Join(", ", urls.Select(u => u.ToString()))}");
var admin = new Session(urls);
await Ok(await admin.On(0).PostAsJsonAsync("/api/setup", new { token, userName = "admin", password = Password }), "setup");
await Ok(await admin.On(0).PutAsJsonAsync("/api/admin/policy", new { unsignedAllowlist = new[] { MixPlugin, KillPlugin } }), "policy");
await Ok(await admin.On(0).PostAsync("/api/admin/plugins", Zip(MixPlugin)), "install " + MixPlugin);
await Ok(await admin.On(0).PostAsync("/api/admin/plugins", Zip(KillPlugin)), "install " + KillPlugin);
if (upstream.Length > 0)
{
    await Ok(await admin.On(0).PostAsJsonAsync("/api/admin/services", new
    {
        id = "bench", displayName = "Bench", baseUrl = upstream, methods = new[] { "GET" }, pathPrefixes = new[] { "/test" },
        secret = new { @in = "header", name = "Authorization", template = "Bearer {secret}" },
        timeoutSeconds = 30, maxRequestBytes = 65536, maxResponseBytes = 64 * 1024 * 1024, ratePerMinute = 100000, burst = 100000,
        allowStreaming = true, allowPrivateNetwork = true, enabled = true,
    }), "define service");
    await Ok(await admin.On(0).PostAsJsonAsync("/api/admin/secrets", new { name = "bench key", serviceId = "bench", value = upstreamKey }), "store key");
}

var members = new List<Member>();
for (var i = 0; i < concurrency; i++)
{
    members.Add(await Member.CreateAsync(admin, urls, i));
}

// A session set by one instance must work on the other (shared key ring): fail loudly otherwise.
for (var u = 1; u < urls.Length; u++)
{
    await Ok(await members[0].Session.On(u).GetAsync("/api/auth/me"), $"the session from {urls[0]} on {urls[u]}");
}

var output = new JsonObject { ["label"] = label, ["instances"] = urls.Length };
Log($"{label}: warm-up");
await MixAsync(members.Take(1).ToList(), TimeSpan.FromSeconds(Math.Min(3, seconds)));
await MixAsync(members, TimeSpan.FromSeconds(Math.Min(2, seconds)));
Log($"{label}: mix, 1 client, {seconds} s");
output["c1"] = JsonSerializer.SerializeToNode(await MixAsync(members.Take(1).ToList(), TimeSpan.FromSeconds(seconds)));
Log($"{label}: mix, {concurrency} clients, {seconds} s");
output["cN"] = JsonSerializer.SerializeToNode(await MixAsync(members, TimeSpan.FromSeconds(seconds)));
output["concurrency"] = concurrency;
var lost = 0;
foreach (var m in members)
{
    lost += await m.VerifyAsync() ? 0 : 1;
}

output["lostWrites"] = lost;

if (cluster)
{
    using var redis = await ConnectionMultiplexer.ConnectAsync(redisConfig);
    var events = new RedisEvents(redis, prefix);
    await events.StartAsync();
    var person = await Member.CreateAsync(admin, urls, 1000);
    output["kill"] = await KillAsync(person, events);
    output["revoke"] = upstream.Length > 0 ? await RevokeAsync(person, events) : null;
    output["bus"] = await BusAsync(person);
}

Console.WriteLine(output.ToJsonString());
return;

async Task<MixResult> MixAsync(List<Member> who, TimeSpan duration)
{
    var recorder = new Recorder();
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(who.Select(async m =>
    {
        while (stop.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            var op = m.NextOp;
            var instance = m.NextInstance;
            bool ok;
            try
            {
                ok = await m.StepAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                ok = false;
            }

            recorder.Add(op, instance, Stopwatch.GetElapsedTime(start).TotalMilliseconds, ok);
        }
    }));
    return recorder.Result(stop.Elapsed.TotalSeconds);
}

// Kill on A, pluginKilled heard on B; each round ends with the plugin re-enabled on A.
async Task<JsonNode> KillAsync(Member person, RedisEvents events)
{
    await using var hub = Hub(person.Session, urls[1], "/hubs/plugins");
    TaskCompletionSource<long>? heard = null;
    hub.On<JsonElement>("pluginKilled", m =>
    {
        var at = Stopwatch.GetTimestamp();
        if (m.GetProperty("pluginId").GetString() == KillPlugin)
        {
            heard?.TrySetResult(at);
        }
    });
    await hub.StartAsync();
    var total = new List<double>();
    var response = new List<double>();
    var heardRounds = new List<(long T0, long Heard)>();
    var missed = 0;
    Log($"kill: {rounds} rounds (+3 warm-up)");
    for (var r = -3; r < rounds; r++)
    {
        heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var t0 = Stopwatch.GetTimestamp();
        using (var kill = await admin.On(0).PostAsJsonAsync($"/api/admin/plugins/{KillPlugin}/kill", new { reason = "Cluster bench" }))
        {
            await Ok(kill, "kill");
        }

        var answered = Stopwatch.GetTimestamp();
        var done = await Task.WhenAny(heard.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        if (r >= 0)
        {
            if (done != heard.Task)
            {
                missed++;
            }
            else
            {
                total.Add(Ms(t0, heard.Task.Result));
                response.Add(Ms(t0, answered));
                heardRounds.Add((t0, heard.Task.Result));
            }
        }

        using var unkill = await admin.On(0).PostAsJsonAsync($"/api/admin/plugins/{KillPlugin}/unkill", new { });
        await Ok(unkill, "unkill");
    }

    // Where the time went, in the order it happens (each step from the previous), read off Redis
    // once every round is over, so an event the bench itself processed late is still attributed.
    var (toSignal, toApplied, toBackplane, toClient) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    var all = await events.SettledAsync();
    List<RedisEvent> lastSeen = [];
    for (var i = 0; i < heardRounds.Count; i++)
    {
        var (t0, t4) = heardRounds[i];
        var end = i + 1 < heardRounds.Count ? heardRounds[i + 1].T0 : long.MaxValue;
        var round = all.Where(e => e.At > t0 && e.At < end).ToList();
        lastSeen = round;
        var signal = round.FirstOrDefault(e => e.Kind == "signal" && e.Text.Contains("plugins-changed", StringComparison.Ordinal));
        // A writes its own generation before publishing; the second write is B's.
        var applied = round.Where(e => e.Kind == "applied").Skip(1).FirstOrDefault();
        var backplane = round.FirstOrDefault(e => e.Kind == "backplane" && e.Text.Contains("pluginKilled", StringComparison.Ordinal));
        if (signal is not null && applied is not null && backplane is not null)
        {
            toSignal.Add(Ms(t0, signal.At));
            toApplied.Add(Ms(signal.At, applied.At));
            toBackplane.Add(Ms(applied.At, backplane.At));
            toClient.Add(Ms(backplane.At, t4));
        }
    }

    return new JsonObject
    {
        ["rounds"] = rounds,
        ["missed"] = missed,
        ["lastRoundRedisEvents"] = new JsonArray([.. lastSeen.Select(e => (JsonNode?)JsonValue.Create($"{Ms(heardRounds[^1].T0, e.At):F1} {e.Kind} {e.Channel} {(e.Text.Length > 60 ? e.Text[..60] : e.Text)}"))]),
        ["p50Ms"] = P(total, 0.5), ["p99Ms"] = P(total, 0.99), ["maxMs"] = P(total, 1),
        ["killResponseP50Ms"] = P(response, 0.5), ["killResponseP99Ms"] = P(response, 0.99),
        ["breakdownP50Ms"] = new JsonObject
        {
            ["samples"] = toSignal.Count,
            ["requestCommitReloadOnA"] = P(toSignal, 0.5),
            ["reloadOnB"] = P(toApplied, 0.5),
            ["barrierSeenComplete"] = P(toBackplane, 0.5),
            ["signalrToClientOnB"] = P(toClient, 0.5),
        },
        ["breakdownP99Ms"] = new JsonObject
        {
            ["requestCommitReloadOnA"] = P(toSignal, 0.99),
            ["reloadOnB"] = P(toApplied, 0.99),
            ["barrierSeenComplete"] = P(toBackplane, 0.99),
            ["signalrToClientOnB"] = P(toClient, 0.99),
        },
    };
}

// A stream through B is running; the grant is revoked on A; the stream's end is seen on B.
async Task<JsonNode> RevokeAsync(Member person, RedisEvents events)
{
    var (boardId, windowId) = await person.SpawnAsync("net");
    var capability = Uri.EscapeDataString("network:bench");
    var total = new List<double>();
    var response = new List<double>();
    var toSignal = new List<double>();
    var toEnd = new List<double>();
    var wrongEnd = 0;
    string? lastEnd = null;
    List<string>? unmatched = null;
    var resets = 0;
    var revokeRounds = new List<(long T0, long Ended)>();
    Log($"revoke: {rounds} rounds (+3 warm-up)");
    for (var r = -3; r < rounds; r++)
    {
        await Ok(await person.Session.On(0).PostAsJsonAsync($"/api/cards/{boardId}/{windowId}/grants", new { capability = "network:bench" }), "grant");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cards/{boardId}/{windowId}/network/bench")
        {
            Content = JsonContent.Create(new { method = "GET", path = "/test/endless", query = new Dictionary<string, string> { ["id"] = "r" + r }, stream = true }),
        };
        using var stream = await person.Session.On(1).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Ok(stream, "stream through B");
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync(); // head
        await reader.ReadLineAsync(); // a first chunk: the upstream is streaming through B
        var reading = Task.Run(async () =>
        {
            string? line, last = null;
            try
            {
                while ((line = await reader.ReadLineAsync()) is not null)
                {
                    if (line.Length > 0)
                    {
                        last = line;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The connection was reset instead of ending with an error line: the end is still seen.
                return (Stopwatch.GetTimestamp(), "reset: " + ex.Message);
            }

            return (Stopwatch.GetTimestamp(), last);
        });
        var t0 = Stopwatch.GetTimestamp();
        using (var revoked = await person.Session.On(0).DeleteAsync($"/api/cards/{boardId}/{windowId}/grants/{capability}"))
        {
            await Ok(revoked, "revoke");
        }

        var answered = Stopwatch.GetTimestamp();
        var (ended, last) = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        if (r < 0)
        {
            continue;
        }

        if (last is not null && last.StartsWith("reset: ", StringComparison.Ordinal))
        {
            resets++;
        }
        else if (last is null || !last.Contains("broker.revoked", StringComparison.Ordinal))
        {
            wrongEnd++;
            lastEnd = last;
        }

        total.Add(Ms(t0, ended));
        response.Add(Ms(t0, answered));
        revokeRounds.Add((t0, ended));
    }

    var all = await events.SettledAsync();
    for (var i = 0; i < revokeRounds.Count; i++)
    {
        var (t0, ended) = revokeRounds[i];
        var end = i + 1 < revokeRounds.Count ? revokeRounds[i + 1].T0 : long.MaxValue;
        var round = all.Where(e => e.At > t0 && e.At < end).ToList();
        var signal = round.FirstOrDefault(e => e.Kind == "signal" && e.Text.Contains("card-capability", StringComparison.Ordinal));
        if (signal is not null)
        {
            toSignal.Add(Ms(t0, signal.At));
            toEnd.Add(Ms(signal.At, ended));
        }
        else
        {
            unmatched ??= [.. round.Select(e => $"{Ms(t0, e.At):F1} {e.Kind} {(e.Text.Length > 50 ? e.Text[..50] : e.Text)}"), $"{Ms(t0, ended):F1} stream ended"];
        }
    }

    return new JsonObject
    {
        ["rounds"] = rounds,
        ["endedOtherThanRevoked"] = wrongEnd,
        ["connectionResetInsteadOfRevokedLine"] = resets,
        ["firstRoundWithoutSignal"] = unmatched is null ? null : new JsonArray([.. unmatched.Select(u => (JsonNode?)JsonValue.Create(u))]),
        ["lastLine"] = wrongEnd > 0 ? lastEnd : null,
        ["p50Ms"] = P(total, 0.5), ["p99Ms"] = P(total, 0.99), ["maxMs"] = P(total, 1),
        ["revokeResponseP50Ms"] = P(response, 0.5),
        ["breakdownP50Ms"] = new JsonObject
        {
            ["samples"] = toSignal.Count,
            ["requestCommitOnA"] = P(toSignal, 0.5),
            ["signalToStreamEndOnB"] = P(toEnd, 0.5),
        },
        ["breakdownP99Ms"] = new JsonObject
        {
            ["requestCommitOnA"] = P(toSignal, 0.99),
            ["signalToStreamEndOnB"] = P(toEnd, 0.99),
        },
    };
}

// One person, three tabs: the publisher's on A, a subscriber's on A (same instance) and one on B.
async Task<JsonNode> BusAsync(Member person)
{
    var cards = new List<(string Board, string Window)>();
    for (var i = 0; i < 3; i++)
    {
        var card = await person.SpawnAsync("bus");
        await Ok(await person.Session.On(0).PostAsJsonAsync($"/api/cards/{card.BoardId}/{card.WindowId}/grants", new { capability = "crossCard:pubsub" }), "grant pubsub");
        cards.Add(card);
    }

    await using var publisher = Hub(person.Session, urls[0], "/hubs/bus");
    await using var local = Hub(person.Session, urls[0], "/hubs/bus");
    await using var remote = Hub(person.Session, urls[1], "/hubs/bus");
    var localHeard = new ConcurrentDictionary<int, long>();
    var remoteHeard = new ConcurrentDictionary<int, long>();
    var localSignal = new SemaphoreSlim(0);
    var remoteSignal = new SemaphoreSlim(0);
    local.On<JsonElement>("busEvent", e => { localHeard[e.GetProperty("payload").GetProperty("n").GetInt32()] = Stopwatch.GetTimestamp(); localSignal.Release(); });
    remote.On<JsonElement>("busEvent", e => { remoteHeard[e.GetProperty("payload").GetProperty("n").GetInt32()] = Stopwatch.GetTimestamp(); remoteSignal.Release(); });
    foreach (var h in new[] { publisher, local, remote })
    {
        await h.StartAsync();
    }

    await Ack(publisher.InvokeAsync<JsonElement>("Join", "p", new { kind = "card", boardId = cards[0].Board, windowId = cards[0].Window }), "join publisher");
    await Ack(local.InvokeAsync<JsonElement>("Join", "l", new { kind = "card", boardId = cards[1].Board, windowId = cards[1].Window }), "join local");
    await Ack(remote.InvokeAsync<JsonElement>("Join", "r", new { kind = "card", boardId = cards[2].Board, windowId = cards[2].Window }), "join remote");
    await Ack(local.InvokeAsync<JsonElement>("Subscribe", "l", new { sub = "s", pattern = "bench:*:*", responds = false }), "subscribe local");
    var remoteAck = await remote.InvokeAsync<JsonElement>("Subscribe", "r", new { sub = "s", pattern = "bench:*:*", responds = false });

    var localMs = new List<double>();
    var remoteMs = new List<double>();
    var remoteMissed = 0;
    var remoteWait = TimeSpan.FromSeconds(2);
    Log($"bus: {busRounds} publishes (+20 warm-up)");
    for (var n = -20; n < busRounds; n++)
    {
        var t0 = Stopwatch.GetTimestamp();
        await Ack(publisher.InvokeAsync<JsonElement>("Publish", "p", new { topic = BusTopic, payload = new { n } }), "publish");
        if (!await localSignal.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            throw new InvalidOperationException($"publish {n} did not reach the tab on the same instance");
        }

        var remoteGot = await remoteSignal.WaitAsync(remoteWait);
        if (n < 0)
        {
            // A bus that does not cross instances: stop waiting for B after the warm-up shows it.
            if (!remoteGot && n == -1 && remoteHeard.IsEmpty)
            {
                remoteWait = TimeSpan.Zero;
            }

            continue;
        }

        localMs.Add(Ms(t0, localHeard[n]));
        if (remoteGot && remoteHeard.TryGetValue(n, out var at))
        {
            remoteMs.Add(Ms(t0, at));
        }
        else
        {
            remoteMissed++;
        }
    }

    string? reason = null;
    if (remoteMs.Count == 0)
    {
        reason = remoteAck.GetProperty("ok").GetBoolean()
            ? "no publish made on A reached the person's tab on B: this build's bus relays within one instance only"
            : "the tab on B could not subscribe: " + remoteAck;
    }

    return new JsonObject
    {
        ["publishes"] = busRounds,
        ["localP50Ms"] = P(localMs, 0.5), ["localP99Ms"] = P(localMs, 0.99),
        ["crossP50Ms"] = remoteMs.Count == 0 ? null : P(remoteMs, 0.5),
        ["crossP99Ms"] = remoteMs.Count == 0 ? null : P(remoteMs, 0.99),
        ["crossDelivered"] = remoteMs.Count,
        ["crossMissed"] = remoteMissed,
        ["crossNullReason"] = reason,
    };
}

static HubConnection Hub(Session session, Uri instance, string path) =>
    new HubConnectionBuilder()
        .WithUrl(new Uri(instance, path), o =>
        {
            // WebSockets, as a browser connects.
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.Headers["Cookie"] = session.CookieHeader(instance);
        })
        .Build();

static async Task Ack(Task<JsonElement> call, string what)
{
    var ack = await call;
    if (!ack.GetProperty("ok").GetBoolean())
    {
        throw new InvalidOperationException($"{what}: {ack}");
    }
}

static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

static double? P(List<double> values, double q)
{
    if (values.Count == 0)
    {
        return null;
    }

    var sorted = values.OrderBy(x => x).ToList();
    return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
}

static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

static void Log(string message) => Console.Error.WriteLine($"[ClusterBench {DateTime.UtcNow:HH:mm:ss}] {message}");

static async Task Ok(HttpResponseMessage response, string what)
{
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

static ByteArrayContent Zip(string id)
{
    var cards = id == MixPlugin
        ? new object[]
        {
            new { typeID = "mix", name = "Mix", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 } },
            new { typeID = "net", name = "Net", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 }, capabilities = new[] { "network:bench" } },
            new
            {
                typeID = "bus", name = "Bus", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 },
                capabilities = new[] { "crossCard:pubsub" }, topics = new { publish = new[] { BusTopic }, subscribe = new[] { "bench:*:*" } },
            },
        }
        : [new { typeID = "k", name = "Kill me", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 } }];
    var manifest = new { id, name = "Cluster bench", version = "1.0.0", minHostAPIVersion = "1.0.0", cards };
    using var buffer = new MemoryStream();
    using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
    {
        using (var w = zip.CreateEntry("manifest.json").Open())
        {
            JsonSerializer.Serialize(w, manifest);
        }

        using (var w = new StreamWriter(zip.CreateEntry("cards/c.js").Open()))
        {
            w.Write("export function mountPlugin() { return () => {}; }");
        }
    }

    var content = new ByteArrayContent(buffer.ToArray());
    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    return content;
}

/// <summary>One person's browser session sent to any instance: one cookie jar, a connection pool per instance.</summary>
sealed class Session
{
    private readonly CookieContainer cookies = new();
    private readonly HttpClient[] clients;

    public Session(Uri[] instances)
    {
        clients = instances.Select(u =>
        {
            var handler = new SocketsHttpHandler { CookieContainer = cookies, UseCookies = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            var client = new HttpClient(handler) { BaseAddress = u, Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
            return client;
        }).ToArray();
    }

    public int Count => clients.Length;

    public HttpClient On(int instance) => clients[instance % clients.Length];

    public string CookieHeader(Uri instance) => cookies.GetCookieHeader(instance);
}

enum Op { List, Read, Layout, Payload, Plugins }

sealed class Member(Session session, string boardId, string windowId)
{
    private static readonly Op[] Cycle = [Op.List, Op.Read, Op.Layout, Op.Payload, Op.Plugins];
    private JsonNode? board;
    private long step;
    private long ackedBoardVersion = -1;
    private double ackedX;
    private long ackedPayloadVersion;
    private long ackedCounter = -1;
    private long counter;

    public Session Session => session;

    public Op NextOp => Cycle[step % Cycle.Length];

    public int NextInstance => (int)(step % session.Count);

    public static async Task<Member> CreateAsync(Session admin, Uri[] instances, int i)
    {
        var name = $"m{i:D4}{Guid.NewGuid().ToString("N")[..6]}";
        await Check(await admin.On(0).PostAsJsonAsync("/api/admin/users", new { userName = name, password = "bench-password-123", role = "member" }), "create user");
        var session = new Session(instances);
        await Check(await session.On(0).PostAsJsonAsync("/api/auth/login", new { userName = name, password = "bench-password-123" }), "sign in");
        var created = await session.On(0).PostAsJsonAsync("/api/boards", new { name = "Bench " + i });
        await Check(created, "create board");
        var boardId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var member = new Member(session, boardId, "");
        var (_, windowId) = await member.SpawnOnAsync(boardId, "mix");
        return new Member(session, boardId, windowId);
    }

    /// <summary>A card of the bench plugin on a new board of this person's.</summary>
    public async Task<(string BoardId, string WindowId)> SpawnAsync(string typeID)
    {
        var created = await session.On(0).PostAsJsonAsync("/api/boards", new { name = "Bench " + typeID });
        await Check(created, "create board");
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return await SpawnOnAsync(id, typeID);
    }

    private async Task<(string BoardId, string WindowId)> SpawnOnAsync(string id, string typeID)
    {
        var current = JsonNode.Parse(await session.On(0).GetStringAsync($"/api/boards/{id}"))!;
        using var spawn = new HttpRequestMessage(HttpMethod.Post, $"/api/boards/{id}/windows")
        {
            Content = JsonContent.Create(new { kind = "plugin", plugin = new { pluginId = "dev.bench.cluster", typeID } }),
        };
        spawn.Headers.TryAddWithoutValidation("If-Match", $"\"{current["version"]!.GetValue<long>()}\"");
        var spawned = await session.On(0).SendAsync(spawn);
        await Check(spawned, "spawn " + typeID);
        var result = await spawned.Content.ReadFromJsonAsync<JsonElement>();
        return (id, result.GetProperty("window").GetProperty("id").GetString()!);
    }

    /// <summary>The next request of the cycle, on the next instance (requests alternate between them).</summary>
    public async Task<bool> StepAsync()
    {
        var op = NextOp;
        var client = session.On((int)(step % session.Count));
        step++;
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
                    return false;
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
                    new StringContent("{\"payload\":" + JsonSerializer.Serialize(new { n, text = new string('x', 200) }) + "}", Encoding.UTF8, "application/json"));
                if (!r.IsSuccessStatusCode)
                {
                    return false;
                }

                var version = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
                if (version != ackedPayloadVersion + 1)
                {
                    return false;
                }

                ackedPayloadVersion = version;
                ackedCounter = n;
                return true;
            }
            case Op.Plugins:
            {
                using var r = await client.GetAsync("/api/plugins");
                await r.Content.ReadAsByteArrayAsync();
                return r.IsSuccessStatusCode;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>The stored board and card state are the last ones acknowledged (read on the last instance).</summary>
    public async Task<bool> VerifyAsync()
    {
        var client = session.On(session.Count - 1);
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

    private static async Task Check(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>
/// What crosses Redis, timestamped as it arrives: the cluster's signals, the SignalR backplane's
/// messages and the barrier's "applied" hash being written (keyspace events, which run.sh's Redis
/// is started with). The bench's own scheduling delays these timestamps under load, so the split
/// is approximate; rounds are attributed by time window once all are over.
/// </summary>
sealed class RedisEvents(ConnectionMultiplexer redis, string prefix)
{
    private readonly ConcurrentQueue<RedisEvent> events = new();

    public async Task StartAsync()
    {
        // Every channel of this private Redis (the SignalR backplane's channels are named after the
        // hub, e.g. "…PluginsHub:all"); the arrival time is taken first, before any other work.
        var signals = $"{prefix}:signals";
        var applied = $"__keyspace@0__:{prefix}:applied";
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("*"), (ch, message) =>
        {
            var at = Stopwatch.GetTimestamp();
            var channel = ch.ToString();
            var kind = channel == signals ? "signal" : channel == applied ? "applied" : channel.StartsWith("__key", StringComparison.Ordinal) ? null : "backplane";
            if (kind is not null)
            {
                // The backplane's payload is MessagePack: the method name is there as UTF-8 bytes.
                events.Enqueue(new RedisEvent(kind, at, channel, Encoding.UTF8.GetString((byte[])message!)));
            }
        });
    }

    /// <summary>Everything seen, in arrival order, once what is in flight has arrived.</summary>
    public async Task<List<RedisEvent>> SettledAsync()
    {
        await Task.Delay(500);
        return [.. events.OrderBy(e => e.At)];
    }
}

sealed record RedisEvent(string Kind, long At, string Channel, string Text);

sealed class Recorder
{
    private readonly Lock gate = new();
    private readonly Dictionary<Op, List<double>> latencies = [];
    private readonly Dictionary<Op, int> errors = [];
    private readonly Dictionary<int, List<double>> byInstance = [];

    public void Add(Op op, int instance, double ms, bool ok)
    {
        lock (gate)
        {
            (latencies.TryGetValue(op, out var list) ? list : latencies[op] = []).Add(ms);
            (byInstance.TryGetValue(instance, out var mine) ? mine : byInstance[instance] = []).Add(ms);
            if (!ok)
            {
                errors[op] = errors.GetValueOrDefault(op) + 1;
            }
        }
    }

    public MixResult Result(double seconds)
    {
        var all = latencies.Values.SelectMany(l => l).OrderBy(x => x).ToList();
        var ops = latencies.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv =>
        {
            var sorted = kv.Value.OrderBy(x => x).ToList();
            return new OpResult(sorted.Count, P(sorted, 0.5), P(sorted, 0.99), errors.GetValueOrDefault(kv.Key));
        });
        // Which instance served a request (A = 0, B = 1): p50 and p99 of each.
        var instances = byInstance.OrderBy(kv => kv.Key).Select(kv =>
        {
            var sorted = kv.Value.OrderBy(x => x).ToList();
            return new[] { P(sorted, 0.5), P(sorted, 0.99) };
        }).ToList();
        return new MixResult(Math.Round(seconds, 1), all.Count, Math.Round(all.Count / seconds, 1), P(all, 0.5), P(all, 0.99), errors.Values.Sum(), ops, instances);
    }

    private static double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 2);
}

sealed record OpResult(int Count, double P50Ms, double P99Ms, int Errors);

sealed record MixResult(double Seconds, int Requests, double Rps, double P50Ms, double P99Ms, int Errors, Dictionary<string, OpResult> Ops, List<double[]> InstanceP50P99Ms);
