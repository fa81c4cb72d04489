namespace Labyrinth.Core.Messaging;

/// <summary>
/// Subscriptions indexed by pattern in a segment trie (one level per topic segment, a literal
/// child per segment text plus one <c>*</c> child), with a bounded cache of match results per
/// concrete topic. A match walks at most 2³ paths whatever the number of subscriptions, and a
/// cached topic costs one dictionary lookup and no allocation. Patterns are compared as literal
/// segments: nothing a plugin writes ever reaches a regular expression engine.
/// </summary>
/// <remarks>
/// Results are ordered by priority (higher first), then by the order the entries were added.
/// The arrays returned are never mutated, so a caller may keep iterating one while it adds or
/// removes entries (a <c>once</c> subscription removing itself during delivery). Not thread-safe:
/// callers serialise access (the host holds one index per person under a lock).
/// </remarks>
public sealed class TopicIndex<T>
    where T : class
{
    /// <summary>Distinct topics whose results are kept; past it the cache starts over.</summary>
    public const int DefaultCacheCapacity = 4096;

    private readonly Node root = new();
    private readonly Dictionary<string, Entry[]> cache = new(StringComparer.Ordinal);
    private readonly int cacheCapacity;
    private long nextOrder;

    public TopicIndex(int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheCapacity);
        this.cacheCapacity = cacheCapacity;
    }

    /// <summary>Entries in the index.</summary>
    public int Count { get; private set; }

    /// <summary>Topics whose match results are cached now (for tests and metrics).</summary>
    public int CachedTopics => cache.Count;

    /// <summary>Adds <paramref name="value"/> under <paramref name="pattern"/>; throws for an invalid pattern.</summary>
    public void Add(string pattern, T value, int priority = 0)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TopicRules.IsValidPattern(pattern))
        {
            throw new ArgumentException(TopicRules.Explain(pattern, allowWildcard: true), nameof(pattern));
        }

        var node = root;
        foreach (var range in pattern.AsSpan().Split(':'))
        {
            var segment = pattern[range];
            if (segment == TopicRules.Wildcard)
            {
                node = node.Wildcard ??= new Node();
            }
            else
            {
                node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                if (!node.Children.TryGetValue(segment, out var child))
                {
                    child = new Node();
                    node.Children.Add(segment, child);
                }

                node = child;
            }
        }

        (node.Items ??= []).Add(new Entry(value, priority, nextOrder++));
        Count++;
        cache.Clear();
    }

    /// <summary>Removes the entry <paramref name="value"/> added under <paramref name="pattern"/>; false when absent.</summary>
    public bool Remove(string pattern, T value)
    {
        if (!TopicRules.IsValidPattern(pattern))
        {
            return false;
        }

        Span<Range> ranges = stackalloc Range[TopicRules.SegmentCount];
        pattern.AsSpan().Split(ranges, ':');
        if (!Remove(root, pattern, ranges, 0, value))
        {
            return false;
        }

        Count--;
        cache.Clear();
        return true;
    }

    /// <summary>
    /// Entries whose pattern matches the concrete <paramref name="topic"/>, by priority then
    /// insertion order; empty for an invalid topic. Cached until the next add or remove.
    /// </summary>
    public ReadOnlySpan<Entry> Match(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (cache.TryGetValue(topic, out var hit))
        {
            return hit;
        }

        if (!TopicRules.IsValidTopic(topic))
        {
            return [];
        }

        Span<Range> ranges = stackalloc Range[TopicRules.SegmentCount];
        topic.AsSpan().Split(ranges, ':');
        var found = new List<Entry>();
        Collect(root, topic, ranges, 0, found);
        var result = found.Count == 0 ? [] : found.ToArray();
        if (result.Length > 1)
        {
            Array.Sort(result, static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : a.Order.CompareTo(b.Order));
        }

        if (cache.Count >= cacheCapacity)
        {
            cache.Clear();
        }

        cache[topic] = result;
        return result;
    }

    private static void Collect(Node node, string topic, ReadOnlySpan<Range> ranges, int depth, List<Entry> found)
    {
        if (depth == ranges.Length)
        {
            if (node.Items is { } items)
            {
                found.AddRange(items);
            }

            return;
        }

        if (node.Children is { } children &&
            children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(topic.AsSpan()[ranges[depth]], out var literal))
        {
            Collect(literal, topic, ranges, depth + 1, found);
        }

        if (node.Wildcard is { } wildcard)
        {
            Collect(wildcard, topic, ranges, depth + 1, found);
        }
    }

    private static bool Remove(Node node, string pattern, ReadOnlySpan<Range> ranges, int depth, T value)
    {
        if (depth == ranges.Length)
        {
            var index = node.Items?.FindIndex(e => ReferenceEquals(e.Value, value)) ?? -1;
            if (index < 0)
            {
                return false;
            }

            node.Items!.RemoveAt(index);
            return true;
        }

        var segment = pattern.AsSpan()[ranges[depth]];
        Node? child;
        if (segment is TopicRules.Wildcard)
        {
            child = node.Wildcard;
        }
        else if (node.Children is null || !node.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(segment, out child))
        {
            child = null;
        }

        if (child is null || !Remove(child, pattern, ranges, depth + 1, value))
        {
            return false;
        }

        // Prune emptied branches so a person who subscribes to many distinct topics over time
        // does not keep a trie of dead nodes.
        if (child.IsEmpty)
        {
            if (segment is TopicRules.Wildcard)
            {
                node.Wildcard = null;
            }
            else
            {
                node.Children!.GetAlternateLookup<ReadOnlySpan<char>>().Remove(segment);
            }
        }

        return true;
    }

    /// <summary>One indexed value with its delivery order.</summary>
    public readonly record struct Entry(T Value, int Priority, long Order);

    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public Node? Wildcard;
        public List<Entry>? Items;

        public bool IsEmpty => (Children is null || Children.Count == 0) && Wildcard is null && (Items is null || Items.Count == 0);
    }
}
