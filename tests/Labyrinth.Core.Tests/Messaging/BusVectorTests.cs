using System.Text.Json;
using Labyrinth.Core.Messaging;

namespace Labyrinth.Core.Tests.Messaging;

/// <summary>
/// Runs <c>tests/vectors/bus.json</c> against <see cref="BusEngine"/>; the page's TypeScript bus
/// runs the same file (<c>sdk/src/bus-engine.test.ts</c>), so both implement the same rules.
/// </summary>
public sealed class BusVectorTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var s in Load())
        {
            data.Add(s.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Engine_SharedScenario_BehavesAsWritten(string name)
    {
        var scenario = Load().Single(s => s.GetProperty("name").GetString() == name);
        var engine = new BusEngine();
        long now = 0;
        var delivered = new List<BusSubscription>();

        var index = 0;
        foreach (var step in scenario.GetProperty("steps").EnumerateArray())
        {
            var where = $"step {index++} ({step.GetProperty("op").GetString()})";
            switch (step.GetProperty("op").GetString())
            {
                case "subscribe":
                case "respond":
                    var result = engine.Subscribe(new BusSubscription(
                        Str(step, "sub")!, Str(step, "member")!, Str(step, "plugin")!, Str(step, "pattern")!,
                        step.TryGetProperty("priority", out var p) ? p.GetInt32() : 0,
                        step.TryGetProperty("once", out var o) && o.GetBoolean(),
                        Str(step, "from"),
                        Responds: step.GetProperty("op").GetString() == "respond"));
                    var ok = !step.TryGetProperty("ok", out var expectOk) || expectOk.GetBoolean();
                    Assert.True(ok == (result == BusSubscribeResult.Ok), $"{where}: {result}");
                    break;
                case "unsubscribe":
                    Assert.True(step.GetProperty("expect").GetBoolean() == engine.Unsubscribe(Str(step, "sub")!), where);
                    break;
                case "leave":
                    var orphaned = engine.RemoveMember(Str(step, "member")!).Select(r => r.Request.Id).ToArray();
                    Assert.Equal(Strings(step, "orphaned"), orphaned);
                    break;
                case "publish":
                    engine.Publish(Message(step, Str(step, "id")!, now), delivered);
                    Assert.True(Strings(step, "expect").SequenceEqual(delivered.Select(d => d.Id)),
                        $"{where}: expected [{string.Join(",", Strings(step, "expect"))}] got [{string.Join(",", delivered.Select(d => d.Id))}]");
                    break;
                case "publishMany":
                    for (var i = 0; i < step.GetProperty("count").GetInt32(); i++)
                    {
                        engine.Publish(Message(step, Str(step, "idPrefix") + i, now), delivered);
                    }

                    break;
                case "request":
                    var responder = engine.Request(Message(step, Str(step, "id")!, now), now + step.GetProperty("timeoutMs").GetInt64());
                    if (step.TryGetProperty("error", out var error))
                    {
                        Assert.Equal("bus.no_responder", error.GetString());
                        Assert.Null(responder);
                    }
                    else
                    {
                        Assert.Equal(Str(step, "responder"), responder?.Id);
                    }

                    break;
                case "reply":
                    Assert.True(step.GetProperty("expect").GetBoolean() == (engine.Reply(Str(step, "id")!, Str(step, "member")!) is not null), where);
                    break;
                case "advance":
                    now += step.GetProperty("ms").GetInt64();
                    Assert.Equal(Strings(step, "expired"), engine.Expire(now).Select(r => r.Request.Id).Order(StringComparer.Ordinal).ToArray());
                    break;
                case "history":
                    var messages = engine.History(Str(step, "pattern")!, Strings(step, "readable"), Str(step, "plugin")!, step.GetProperty("limit").GetInt32());
                    if (step.TryGetProperty("expect", out _))
                    {
                        Assert.Equal(Strings(step, "expect"), messages.Select(m => m.Id).ToArray());
                    }
                    else
                    {
                        Assert.Equal(step.GetProperty("expectCount").GetInt32(), messages.Count);
                        Assert.Equal(Str(step, "expectFirst"), messages[0].Id);
                        Assert.Equal(Str(step, "expectLast"), messages[^1].Id);
                    }

                    break;
                default:
                    Assert.Fail($"{where}: unknown op");
                    break;
            }
        }
    }

    [Fact]
    public void Vectors_File_CoversEveryRule()
    {
        var ops = Load().SelectMany(s => s.GetProperty("steps").EnumerateArray()).Select(s => s.GetProperty("op").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "subscribe", "respond", "publish", "request", "reply", "advance", "history", "leave" }, ops);
    }

    private static BusMessage Message(JsonElement step, string id, long now) =>
        new(id, Str(step, "topic")!, Str(step, "member")!, Str(step, "plugin")!, "card", Str(step, "target"), now, "null");

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string[] Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];

    private static List<JsonElement> Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "vectors", "bus.json");
            if (File.Exists(candidate))
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(candidate));
                return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
            }
        }

        throw new FileNotFoundException("Shared bus vectors not found.", "tests/vectors/bus.json");
    }
}
