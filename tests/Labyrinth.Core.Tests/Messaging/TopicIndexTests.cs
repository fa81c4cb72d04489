using Labyrinth.Core.Messaging;

namespace Labyrinth.Core.Tests.Messaging;

public sealed class TopicIndexTests
{
    private sealed record Sub(string Name);

    private static string[] Names(ReadOnlySpan<TopicIndex<Sub>.Entry> entries)
    {
        var names = new string[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            names[i] = entries[i].Value.Name;
        }

        return names;
    }

    [Fact]
    public void Match_ExactAndWildcards_FindsEveryMatchingPattern()
    {
        var index = new TopicIndex<Sub>();
        index.Add("a:b:c", new Sub("exact"));
        index.Add("a:*:c", new Sub("middle"));
        index.Add("*:*:*", new Sub("all"));
        index.Add("a:b:d", new Sub("other"));
        index.Add("*:b:*", new Sub("b"));

        Assert.Equal(["exact", "middle", "all", "b"], Names(index.Match("a:b:c")));
        Assert.Equal(["middle", "all"], Names(index.Match("a:x:c")));
        Assert.Empty(Names(index.Match("a:b")));
    }

    [Fact]
    public void Match_AgreesWithTopicRules_OnSharedTopicVectors()
    {
        // Every (pattern, topic) pair of tests/vectors/topics.json through the index.
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "vectors", "topics.json");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path));
        foreach (var v in doc.RootElement.EnumerateArray())
        {
            var (pattern, topic, expected) = (v.GetProperty("pattern").GetString()!, v.GetProperty("topic").GetString()!, v.GetProperty("match").GetBoolean());
            var index = new TopicIndex<Sub>();
            if (TopicRules.IsValidPattern(pattern))
            {
                index.Add(pattern, new Sub("s"));
            }

            Assert.True(expected == (index.Match(topic).Length == 1), $"{pattern} vs {topic}");
        }
    }

    [Fact]
    public void Add_RegexSyntax_IsRefusedAndNeverCompiled()
    {
        var index = new TopicIndex<Sub>();

        Assert.Throws<ArgumentException>(() => index.Add("(", new Sub("paren")));
        Assert.Throws<ArgumentException>(() => index.Add("(a+)+$:(a|a)*:x", new Sub("redos")));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Match_CatastrophicBacktrackingTopic_EndsAtOnce()
    {
        var index = new TopicIndex<Sub>();
        index.Add("*:*:*", new Sub("all"));
        var hostile = "a:" + new string('a', 100) + "!:b";

        // A regex engine given (a+)+ would backtrack 2^100 times on this; the trie compares segments.
        Assert.Empty(Names(index.Match(hostile)));
        Assert.Empty(Names(index.Match("(:(:(")));
    }

    [Fact]
    public void Match_CachedTopic_ReturnsTheSameArrayWithoutAllocating()
    {
        var index = new TopicIndex<Sub>();
        for (var i = 0; i < 100; i++)
        {
            index.Add($"d{i}:e:*", new Sub($"s{i}"));
        }

        var topic = "d7:e:x";
        index.Match(topic);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 1000; i++)
        {
            total += index.Match(topic).Length;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, total);
    }

    [Fact]
    public void AddOrRemove_InvalidatesCachedResults()
    {
        var index = new TopicIndex<Sub>();
        var first = new Sub("first");
        index.Add("a:b:c", first);
        Assert.Single(Names(index.Match("a:b:c")));
        Assert.Equal(1, index.CachedTopics);

        index.Add("a:*:c", new Sub("second"));
        Assert.Equal(0, index.CachedTopics);
        Assert.Equal(["first", "second"], Names(index.Match("a:b:c")));

        Assert.True(index.Remove("a:b:c", first));
        Assert.Equal(["second"], Names(index.Match("a:b:c")));
        Assert.False(index.Remove("a:b:c", first));
    }

    [Fact]
    public void Match_ManyDistinctTopics_CacheStaysBounded()
    {
        var index = new TopicIndex<Sub>(cacheCapacity: 16);
        index.Add("*:*:*", new Sub("all"));

        for (var i = 0; i < 1000; i++)
        {
            Assert.Single(Names(index.Match($"t{i}:x:y")));
        }

        Assert.True(index.CachedTopics <= 16);
    }

    [Fact]
    public void Match_Priority_HigherFirstThenInsertionOrder()
    {
        var index = new TopicIndex<Sub>();
        index.Add("a:b:c", new Sub("zero-1"));
        index.Add("*:b:c", new Sub("minus"), priority: -1);
        index.Add("a:*:*", new Sub("ten"), priority: 10);
        index.Add("a:b:*", new Sub("zero-2"));

        Assert.Equal(["ten", "zero-1", "zero-2", "minus"], Names(index.Match("a:b:c")));
    }

    [Fact]
    public void Remove_LastEntryOfABranch_PrunesIt()
    {
        var index = new TopicIndex<Sub>();
        var subs = Enumerable.Range(0, 50).Select(i => (Pattern: $"d{i}:*:x{i}", Sub: new Sub($"s{i}"))).ToList();
        subs.ForEach(s => index.Add(s.Pattern, s.Sub));

        subs.ForEach(s => Assert.True(index.Remove(s.Pattern, s.Sub)));

        Assert.Equal(0, index.Count);
        Assert.Empty(Names(index.Match("d1:y:x1")));
    }
}

public sealed class BusEngineTests
{
    private static BusMessage Message(string id, string payloadJson) => new(id, "x:y:z", "sender", "dev.s", "card", null, 0, payloadJson);

    [Fact]
    public void Record_OverThePayloadBudget_DropsTheOldestFirst()
    {
        var engine = new BusEngine(new BusEngineOptions { HistoryMaxPayloadChars = 10 });

        engine.Record(Message("a", "\"1234\""));
        engine.Record(Message("b", "\"1234\""));
        engine.Record(Message("c", "\"12\""));

        Assert.Equal(["b", "c"], engine.History("*:*:*", ["*:*:*"], "dev.r", 10).Select(m => m.Id));
    }

    [Fact]
    public void Deliver_CachedTopic_AllocatesNothing()
    {
        var engine = new BusEngine();
        for (var i = 0; i < 200; i++)
        {
            engine.Subscribe(new BusSubscription("s" + i, "m" + (i % 20), "dev.p", i % 2 == 0 ? "a:b:c" : "a:*:c", Priority: i % 3));
        }

        var message = new BusMessage("m", "a:b:c", "sender", "dev.s", "card", null, 0, "null");
        var into = new List<BusSubscription>(256);
        engine.Deliver(message, into);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            engine.Deliver(message, into);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(200, into.Count);
    }
}

public sealed class TopicCoversTests
{
    [Theory]
    [InlineData("math:*:changed", "math:graph:changed", true)]
    [InlineData("math:*:changed", "math:*:changed", true)]
    [InlineData("*:*:*", "math:*:changed", true)]
    [InlineData("math:graph:changed", "math:*:changed", false)]
    [InlineData("math:*:changed", "math:graph:*", false)]
    [InlineData("math:*:changed", "(", false)]
    public void Covers_DeclaredPattern_AgreesWithTheSdk(string outer, string inner, bool expected) =>
        Assert.Equal(expected, TopicRules.Covers(outer, inner));
}
