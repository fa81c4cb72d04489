// One client's card-state PUTs against several running endpoints, interleaved in short slots, so
// every endpoint sees the same machine (the load of a shared box moves by more than the
// differences measured). Each target is name=url (a bare endpoint: bench/writes/BareWrites) or
// name=url=setupToken (a fresh host: an admin, a member, a board and one card are made first).
//
//   Interleave run <secondsPerSlot> <rounds> <target>...     prints one JSON object: per target,
//       requests/s and p50 per slot, and each slot's requests/s over the bare target's in the same round
//   Interleave bursts <perBurst> <bursts> <target>...   <perBurst> PUTs to each target in turn (the first 5 of
//       each burst dropped), <bursts> times, order rotated: per target, its median in every burst
//       (bench/writes/paired.sh compares them with the bare target's in the same rotation)
//   Interleave count <requests> <readyFile> <goFile> <target>  warms up, writes readyFile, waits for
//       goFile, sends exactly <requests> PUTs, prints their count (for strace -c on the server)
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;



var mode = args[0];
if (mode == "run")
{
    var slot = TimeSpan.FromSeconds(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    var rounds = int.Parse(args[2]);
    var targets = new List<Target>();
    foreach (var spec in args[3..])
    {
        targets.Add(await Target.OpenAsync(spec));
    }

    foreach (var t in targets)
    {
        await t.LoopAsync(TimeSpan.FromSeconds(2)); // JIT, caches, first connection
    }

    var bare = targets.FirstOrDefault(t => t.IsBare);
    var slots = targets.ToDictionary(t => t.Name, _ => new List<Slot>());
    for (var r = 0; r < rounds; r++)
    {
        // Rotate the order each round, so no target always follows the same one.
        var order = targets.Skip(r % targets.Count).Concat(targets.Take(r % targets.Count)).ToList();
        var round = new Dictionary<string, Slot>();
        foreach (var t in order)
        {
            round[t.Name] = await t.LoopAsync(slot);
        }

        foreach (var (name, s) in round)
        {
            slots[name].Add(bare is null ? s : s with { VsBare = Math.Round(s.Rps / round[bare.Name].Rps, 3), P50OverBareMs = Math.Round(s.P50Ms - round[bare.Name].P50Ms, 3) });
        }

        Console.Error.WriteLine($"round {r + 1}/{rounds}: " + string.Join("  ", targets.Select(t => $"{t.Name} {round[t.Name].Rps:0} req/s p50 {round[t.Name].P50Ms:0.000}")) + $"  load {File.ReadAllText("/proc/loadavg")[..14]}");
    }

    static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    Console.WriteLine(JsonSerializer.Serialize(new
    {
        bench = "writes-interleave",
        slotSeconds = slot.TotalSeconds,
        rounds,
        targets = targets.Select(t => new
        {
            name = t.Name,
            medianRps = Math.Round(Median(slots[t.Name].Select(s => s.Rps)), 1),
            medianP50Ms = Math.Round(Median(slots[t.Name].Select(s => s.P50Ms)), 3),
            medianVsBare = bare is null ? (double?)null : Math.Round(Median(slots[t.Name].Select(s => s.VsBare ?? double.NaN)), 3),
            medianP50OverBareMs = bare is null ? (double?)null : Math.Round(Median(slots[t.Name].Select(s => s.P50OverBareMs ?? double.NaN)), 3),
            errors = slots[t.Name].Sum(s => s.Errors),
            slots = slots[t.Name],
        }),
    }));
}
else if (mode == "bursts")
{
    // Finer than slots on a loaded machine: <perBurst> PUTs to each target in turn (the first few of
    // each burst dropped, so every target is measured hot, as a lone client keeps it), many times.
    var perBurst = int.Parse(args[1]);
    var bursts = int.Parse(args[2]);
    var targets = new List<Target>();
    foreach (var spec in args[3..])
    {
        targets.Add(await Target.OpenAsync(spec));
    }

    foreach (var t in targets)
    {
        await t.LoopAsync(TimeSpan.FromSeconds(3));
    }

    const int Dropped = 5;
    var samples = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var burstMedians = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var errors = targets.ToDictionary(t => t.Name, _ => 0);
    var clock = Stopwatch.StartNew();
    for (var b = 0; b < bursts; b++)
    {
        foreach (var t in targets.Skip(b % targets.Count).Concat(targets.Take(b % targets.Count)))
        {
            var these = new List<double>(perBurst);
            for (var i = 0; i < perBurst; i++)
            {
                var start = clock.Elapsed;
                errors[t.Name] += await t.PutAsync() ? 0 : 1;
                if (i >= Dropped)
                {
                    these.Add((clock.Elapsed - start).TotalMilliseconds);
                }
            }

            samples[t.Name].AddRange(these);
            these.Sort();
            burstMedians[t.Name].Add(these[these.Count / 2]);
        }

        if ((b + 1) % 20 == 0)
        {
            Console.Error.WriteLine($"burst {b + 1}/{bursts}  load {File.ReadAllText("/proc/loadavg")[..14]}");
        }
    }

    static double Q(List<double> xs, double q)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s[Math.Min(s.Count - 1, (int)Math.Ceiling(q * s.Count) - 1)];
    }

    var bareName = targets.FirstOrDefault(t => t.IsBare)?.Name;
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        bench = "writes-bursts",
        perBurst,
        bursts,
        targets = targets.Select(t => new
        {
            name = t.Name,
            samples = samples[t.Name].Count,
            p25Ms = Math.Round(Q(samples[t.Name], 0.25), 4),
            p50Ms = Math.Round(Q(samples[t.Name], 0.5), 4),
            p90Ms = Math.Round(Q(samples[t.Name], 0.9), 4),
            errors = errors[t.Name],
            burstMedianMs = burstMedians[t.Name].Select(x => Math.Round(x, 4)),
        }),
    }));
}
else if (mode == "count")
{
    var n = int.Parse(args[1]);
    var target = await Target.OpenAsync(args[4]);
    await target.LoopAsync(TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("WARMUP") ?? "3", System.Globalization.CultureInfo.InvariantCulture)));
    await File.WriteAllTextAsync(args[2], "ready");
    while (!File.Exists(args[3]))
    {
        await Task.Delay(50);
    }

    var errors = 0;
    for (var i = 0; i < n; i++)
    {
        errors += await target.PutAsync() ? 0 : 1;
    }

    Console.WriteLine(JsonSerializer.Serialize(new { target = target.Name, requests = n, errors }));
}
else
{
    throw new ArgumentException("mode: run | count");
}

sealed record Slot(int Requests, double Rps, double P50Ms, double P99Ms, int Errors, double? VsBare = null, double? P50OverBareMs = null);

sealed class Target(string name, HttpClient client, string path, bool isBare)
{
    private const string Password = "bench-password-123";
    private long version = -1;
    private long n;

    public string Name => name;

    public bool IsBare => isBare;

    public static async Task<Target> OpenAsync(string spec)
    {
        var parts = spec.Split('=', 3);
        var url = new Uri(parts[1]);
        if (parts.Length == 2)
        {
            return new Target(parts[0], NewClient(url), $"/api/cards/{Guid.NewGuid()}/w_bare/payload", isBare: true);
        }

        var admin = NewClient(url);
        await Ok(await admin.PostAsJsonAsync("/api/setup", new { token = parts[2], userName = "admin", password = Password }), "setup");
        var member = "m" + Guid.NewGuid().ToString("N")[..8];
        await Ok(await admin.PostAsJsonAsync("/api/admin/users", new { userName = member, password = Password, role = "member" }), "create user");
        var client = NewClient(url);
        await Ok(await client.PostAsJsonAsync("/api/auth/login", new { userName = member, password = Password }), "login");
        var created = await client.PostAsJsonAsync("/api/boards", new { name = "Bench" });
        await Ok(created, "create board");
        var boardId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var spawn = new HttpRequestMessage(HttpMethod.Post, $"/api/boards/{boardId}/windows")
        {
            Content = JsonContent.Create(new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "hello", props = new { name = "Ada" } } }),
        };
        spawn.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var spawned = await client.SendAsync(spawn);
        await Ok(spawned, "spawn");
        var windowId = (await spawned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("window").GetProperty("id").GetString()!;
        return new Target(parts[0], client, $"/api/cards/{boardId}/{windowId}/payload", isBare: false);
    }

    /// <summary>One PUT, as LoadBench's member sends it: true when acknowledged with the next version.</summary>
    public async Task<bool> PutAsync()
    {
        var body = "{\"payload\":" + JsonSerializer.Serialize(new { n = ++n, text = new string('x', 200) }) + "}";
        try
        {
            using var r = await client.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            if (!r.IsSuccessStatusCode)
            {
                return false;
            }

            var v = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
            var ok = version < 0 || v == version + 1;
            version = v;
            return ok;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<Slot> LoopAsync(TimeSpan duration)
    {
        var latencies = new List<double>(16384);
        var errors = 0;
        var stop = Stopwatch.StartNew();
        while (stop.Elapsed < duration)
        {
            var start = stop.Elapsed;
            errors += await PutAsync() ? 0 : 1;
            latencies.Add((stop.Elapsed - start).TotalMilliseconds);
        }

        var seconds = stop.Elapsed.TotalSeconds;
        latencies.Sort();
        double P(double q) => latencies.Count == 0 ? 0 : Math.Round(latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)], 3);
        return new Slot(latencies.Count, Math.Round(latencies.Count / seconds, 1), P(0.5), P(0.99), errors);
    }

    private static HttpClient NewClient(Uri url)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 4 };
        var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        return client;
    }

    private static async Task Ok(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
