// Bus matching in the host's C# engine (Labyrinth.Core.Messaging.BusEngine over TopicIndex):
// publishes per second with N subscriptions, and bytes allocated per publish on cached topics.
// The workload (patterns, topics) comes from workload.json written by workload.mjs, so the C#
// and TypeScript runs match the very same subscriptions and topics.
// Usage: MatchBench <workload.json> <seconds per size>
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Labyrinth.Core.Messaging;

var path = args[0];
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
var results = new Dictionary<string, object>();

foreach (var size in doc.RootElement.GetProperty("sizes").EnumerateArray())
{
    var n = size.GetProperty("n").GetInt32();
    var engine = new BusEngine(new BusEngineOptions { MaxSubscriptionsPerMember = int.MaxValue });
    var i = 0;
    foreach (var p in size.GetProperty("patterns").EnumerateArray())
    {
        // One member per 8 subscriptions, like cards holding a few each.
        var member = "m" + (i / 8);
        engine.Subscribe(new BusSubscription("s" + i, member, "dev.p" + (i % 50), p.GetString()!, Priority: i % 3));
        i++;
    }

    var topics = size.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray();
    var messages = topics.Select((t, k) => new BusMessage("x" + k, t, "sender", "dev.sender", "card", null, 0, "null")).ToArray();
    var into = new List<BusSubscription>(1024);

    // Warm-up: fills the match cache for every topic in the stream and lets the JIT settle.
    long delivered = 0;
    for (var k = 0; k < messages.Length * 2; k++)
    {
        engine.Deliver(messages[k % messages.Length], into);
        delivered += into.Count;
    }

    // Timed: as many publishes as fit in `seconds`, checked every 4096.
    delivered = 0;
    long count = 0;
    var sw = Stopwatch.StartNew();
    var budget = (long)(seconds * Stopwatch.Frequency);
    while (sw.ElapsedTicks < budget)
    {
        for (var k = 0; k < 4096; k++)
        {
            engine.Deliver(messages[(count + k) % messages.Length], into);
            delivered += into.Count;
        }

        count += 4096;
    }

    var elapsed = sw.Elapsed.TotalSeconds;

    // Allocation on cached topics: a fixed number of publishes between two readings.
    const int AllocRuns = 100_000;
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var k = 0; k < AllocRuns; k++)
    {
        engine.Deliver(messages[k % messages.Length], into);
    }

    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

    // Uncached: every publish a topic the cache has not seen (cache capacity 4096 < stream).
    var cold = size.GetProperty("coldTopics").EnumerateArray().Select((t, k) => new BusMessage("c" + k, t.GetString()!, "sender", "dev.sender", "card", null, 0, "null")).ToArray();
    var coldSw = Stopwatch.StartNew();
    long coldCount = 0;
    while (coldSw.ElapsedTicks < budget / 2)
    {
        engine.Deliver(cold[coldCount % cold.Length], into);
        coldCount++;
    }

    results[n.ToString(CultureInfo.InvariantCulture)] = new
    {
        publish_per_s = Math.Round(count / elapsed),
        avg_delivered = Math.Round((double)delivered / count, 2),
        bytes_per_publish_cached = (double)allocated / AllocRuns,
        uncached_publish_per_s = Math.Round(coldCount / coldSw.Elapsed.TotalSeconds),
    };

    // Delivery sets for the cross-check against the seed's matcher (ids in delivery order).
    var sets = topics.Take(200).Select(t =>
    {
        engine.Deliver(new BusMessage("chk", t, "sender", "dev.sender", "card", null, 0, "null"), into);
        return into.Select(s => s.Id).Order(StringComparer.Ordinal).ToArray();
    }).ToArray();
    File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, $"cs-sets-{n}.json"), JsonSerializer.Serialize(sets));
}

Console.WriteLine(JsonSerializer.Serialize(results));
