namespace Labyrinth.Core.Messaging;

/// <summary>
/// Pub/sub topic names and subscribe patterns. A topic is <c>&lt;domain&gt;:&lt;entity&gt;:&lt;action&gt;</c>:
/// exactly three segments of <c>[a-z0-9-]</c>, at most 128 characters. A subscribe pattern may use
/// <c>*</c> as a whole segment. Matching compares segments as literal text — topics come from
/// untrusted manifests and messages, so no regex is ever built from them.
/// </summary>
public static class TopicRules
{
    public const int MaxLength = 128;
    public const int SegmentCount = 3;
    public const int MaxTopicsPerList = 32;
    public const string Wildcard = "*";

    /// <summary>A concrete topic (publish, or a delivery): no wildcards.</summary>
    public static bool IsValidTopic(string? topic) => Check(topic, allowWildcard: false);

    /// <summary>A subscribe entry: a topic, or a pattern with <c>*</c> segments.</summary>
    public static bool IsValidPattern(string? pattern) => Check(pattern, allowWildcard: true);

    /// <summary>True when <paramref name="topic"/> (concrete) matches <paramref name="pattern"/>; false for anything invalid.</summary>
    public static bool Matches(string? pattern, string? topic)
    {
        if (!IsValidPattern(pattern) || !IsValidTopic(topic))
        {
            return false;
        }

        var p = pattern!.Split(':');
        var t = topic!.Split(':');
        for (var i = 0; i < SegmentCount; i++)
        {
            if (p[i] != Wildcard && !string.Equals(p[i], t[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when every topic <paramref name="inner"/> can match is also matched by <paramref name="outer"/>
    /// (both patterns): a member may subscribe to <paramref name="inner"/> when a declared pattern covers it.
    /// </summary>
    public static bool Covers(string? outer, string? inner)
    {
        if (!IsValidPattern(outer) || !IsValidPattern(inner))
        {
            return false;
        }

        var o = outer!.Split(':');
        var i = inner!.Split(':');
        for (var k = 0; k < SegmentCount; k++)
        {
            if (o[k] != Wildcard && !string.Equals(o[k], i[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A sentence saying why <paramref name="value"/> is not acceptable, or null when it is.</summary>
    public static string? Explain(string? value, bool allowWildcard)
    {
        if (Check(value, allowWildcard))
        {
            return null;
        }

        var shape = allowWildcard
            ? "a topic like \"math:expression:changed\" (three segments of a-z, 0-9 and -, where a whole segment may be *)"
            : "a topic like \"math:expression:changed\" (three segments of a-z, 0-9 and -; no wildcards)";
        return value is { Length: > MaxLength }
            ? $"A topic has at most {MaxLength} characters; it must be {shape}."
            : $"\"{value}\" is not {shape}.";
    }

    private static bool Check(string? value, bool allowWildcard)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var segments = 1;
        var segmentStart = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == ':')
            {
                if (!SegmentOk(value.AsSpan(segmentStart, i - segmentStart), allowWildcard))
                {
                    return false;
                }

                if (i < value.Length)
                {
                    segments++;
                }

                segmentStart = i + 1;
            }
        }

        return segments == SegmentCount;
    }

    private static bool SegmentOk(ReadOnlySpan<char> segment, bool allowWildcard)
    {
        if (segment.IsEmpty)
        {
            return false;
        }

        if (segment is "*")
        {
            return allowWildcard;
        }

        foreach (var c in segment)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
