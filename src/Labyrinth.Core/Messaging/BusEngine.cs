namespace Labyrinth.Core.Messaging;

/// <summary>
/// One subscription or responder on the bus. Identity is the reference: the same pattern twice
/// is two subscriptions, each delivered once.
/// </summary>
/// <param name="Id">Caller-chosen id, unique within one engine (the page or hub assigns it).</param>
/// <param name="MemberId">The member (a card today; later a page or a service) that holds it.</param>
/// <param name="PluginId">The member's plugin: what <c>target</c> and <c>from</c> compare against.</param>
/// <param name="Pattern">A topic or a pattern with <c>*</c> segments.</param>
/// <param name="Priority">Higher first; ties in subscription order.</param>
/// <param name="Once">Removed after its first delivery.</param>
/// <param name="From">Only messages sent by this plugin, when set.</param>
/// <param name="Responds">A responder: it answers requests instead of receiving publishes.</param>
public sealed record BusSubscription(
    string Id, string MemberId, string PluginId, string Pattern, int Priority = 0, bool Once = false, string? From = null, bool Responds = false);

/// <summary>A message on the bus. <paramref name="PayloadJson"/> is the payload's JSON text, opaque to the engine.</summary>
public sealed record BusMessage(
    string Id, string Topic, string SenderMember, string SenderPlugin, string SenderType, string? Target, long Timestamp, string PayloadJson);

/// <summary>A request waiting for its one reply.</summary>
public sealed record BusPendingRequest(BusMessage Request, BusSubscription Responder, long Deadline);

/// <summary>Limits of one engine (one person's workspace).</summary>
public sealed record BusEngineOptions
{
    public const int DefaultHistoryCapacity = 1000;
    public const int MinPriority = -1000;
    public const int MaxPriority = 1000;

    /// <summary>Messages kept for <see cref="BusEngine.History"/>; the oldest goes first.</summary>
    public int HistoryCapacity { get; init; } = DefaultHistoryCapacity;

    /// <summary>
    /// Payload characters the history may hold in total (null: no limit); past it the oldest
    /// messages go first, so 1,000 large payloads cannot pin unbounded memory per person.
    /// </summary>
    public long? HistoryMaxPayloadChars { get; init; }

    /// <summary>Subscriptions plus responders one member may hold.</summary>
    public int MaxSubscriptionsPerMember { get; init; } = 64;

    /// <summary>Requests waiting for a reply at once.</summary>
    public int MaxPendingRequests { get; init; } = 256;
}

/// <summary>Why <see cref="BusEngine.Subscribe"/> refused.</summary>
public enum BusSubscribeResult
{
    Ok,
    InvalidPattern,
    DuplicateId,
    TooMany,
}

/// <summary>
/// The bus rules, transport-free: subscriptions and responders in <see cref="TopicIndex{T}"/>es,
/// delivery order (priority, then subscription order), <c>once</c>, <c>target</c> (only that
/// plugin's members), <c>from</c> (only that sender plugin), a member never receiving its own
/// message, request routing to exactly one responder with a deadline, and a bounded history.
/// The page (TypeScript, same rules, same vectors: <c>tests/vectors/bus.json</c>) and the host
/// both run these rules; declared topics, grants, sizes and rates are the callers' policy.
/// Not thread-safe: one engine per person, used under the caller's lock.
/// </summary>
public sealed class BusEngine
{
    private readonly TopicIndex<BusSubscription> events = new();
    private readonly TopicIndex<BusSubscription> responders = new();
    private readonly Dictionary<string, BusSubscription> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<BusSubscription>> byMember = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BusPendingRequest> pending = new(StringComparer.Ordinal);
    private readonly BusMessage?[] history;
    private int historyNext;
    private int historyCount;
    private long historyChars;

    public BusEngine(BusEngineOptions? options = null)
    {
        Options = options ?? new BusEngineOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.HistoryCapacity);
        history = new BusMessage?[Options.HistoryCapacity];
    }

    public BusEngineOptions Options { get; }

    /// <summary>Subscriptions and responders held now.</summary>
    public int SubscriptionCount => byId.Count;

    public int PendingCount => pending.Count;

    public int HistoryCount => historyCount;

    public BusSubscription? FindSubscription(string id) => byId.GetValueOrDefault(id);

    public BusSubscribeResult Subscribe(BusSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!TopicRules.IsValidPattern(subscription.Pattern))
        {
            return BusSubscribeResult.InvalidPattern;
        }

        if (byId.ContainsKey(subscription.Id))
        {
            return BusSubscribeResult.DuplicateId;
        }

        if (!byMember.TryGetValue(subscription.MemberId, out var mine))
        {
            mine = [];
            byMember.Add(subscription.MemberId, mine);
        }

        if (mine.Count >= Options.MaxSubscriptionsPerMember)
        {
            return BusSubscribeResult.TooMany;
        }

        var priority = Math.Clamp(subscription.Priority, BusEngineOptions.MinPriority, BusEngineOptions.MaxPriority);
        (subscription.Responds ? responders : events).Add(subscription.Pattern, subscription, priority);
        byId.Add(subscription.Id, subscription);
        mine.Add(subscription);
        return BusSubscribeResult.Ok;
    }

    /// <summary>Removes one subscription or responder; false when unknown.</summary>
    public bool Unsubscribe(string id)
    {
        if (!byId.Remove(id, out var s))
        {
            return false;
        }

        (s.Responds ? responders : events).Remove(s.Pattern, s);
        if (byMember.TryGetValue(s.MemberId, out var mine))
        {
            mine.Remove(s);
            if (mine.Count == 0)
            {
                byMember.Remove(s.MemberId);
            }
        }

        return true;
    }

    /// <summary>Subscriptions of one member (ids), e.g. to drop them when its grant is revoked.</summary>
    public IReadOnlyList<BusSubscription> SubscriptionsOf(string memberId) =>
        byMember.TryGetValue(memberId, out var mine) ? [.. mine] : [];

    /// <summary>
    /// The member left (closed, revoked, disconnected): its subscriptions go, requests it sent are
    /// forgotten, and requests waiting on it are returned so the caller can fail them
    /// (<c>bus.no_responder</c>).
    /// </summary>
    public IReadOnlyList<BusPendingRequest> RemoveMember(string memberId)
    {
        foreach (var s in SubscriptionsOf(memberId))
        {
            Unsubscribe(s.Id);
        }

        List<BusPendingRequest>? orphaned = null;
        foreach (var (rid, p) in pending.ToList())
        {
            if (p.Request.SenderMember == memberId)
            {
                pending.Remove(rid);
            }
            else if (p.Responder.MemberId == memberId)
            {
                pending.Remove(rid);
                (orphaned ??= []).Add(p);
            }
        }

        return orphaned ?? (IReadOnlyList<BusPendingRequest>)[];
    }

    /// <summary>
    /// The subscriptions <paramref name="message"/> is delivered to, in delivery order, appended to
    /// <paramref name="into"/> (cleared first). <c>once</c> subscriptions are removed. Does not record
    /// history (see <see cref="Publish"/>). No allocation on a cached topic without <c>once</c>.
    /// </summary>
    public void Deliver(BusMessage message, List<BusSubscription> into)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        var anyOnce = false;
        foreach (var entry in events.Match(message.Topic))
        {
            var s = entry.Value;
            if (Accepts(s, message))
            {
                into.Add(s);
                anyOnce |= s.Once;
            }
        }

        if (!anyOnce)
        {
            return;
        }

        foreach (var s in into)
        {
            if (s.Once)
            {
                Unsubscribe(s.Id);
            }
        }
    }

    /// <summary><see cref="Deliver"/>, then records the message in the history.</summary>
    public void Publish(BusMessage message, List<BusSubscription> into)
    {
        Deliver(message, into);
        Record(message);
    }

    /// <summary>Adds a message to the history; past the capacity the oldest is dropped.</summary>
    public void Record(BusMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (historyCount == history.Length)
        {
            historyChars -= history[historyNext]!.PayloadJson.Length;
        }

        history[historyNext] = message;
        historyNext = (historyNext + 1) % history.Length;
        historyCount = Math.Min(historyCount + 1, history.Length);
        historyChars += message.PayloadJson.Length;
        while (Options.HistoryMaxPayloadChars is { } max && historyChars > max && historyCount > 0)
        {
            var oldest = (historyNext - historyCount + history.Length) % history.Length;
            historyChars -= history[oldest]!.PayloadJson.Length;
            history[oldest] = null;
            historyCount--;
        }
    }

    /// <summary>
    /// The responder that answers <paramref name="request"/> (first by priority, then subscription
    /// order; never the sender itself; only the target plugin's when targeted), registered as pending
    /// until <paramref name="deadline"/>. Null when there is none or too many are pending.
    /// </summary>
    public BusSubscription? Request(BusMessage request, long deadline)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (pending.Count >= Options.MaxPendingRequests || pending.ContainsKey(request.Id))
        {
            return null;
        }

        foreach (var entry in responders.Match(request.Topic))
        {
            var s = entry.Value;
            if (Accepts(s, request))
            {
                pending.Add(request.Id, new BusPendingRequest(request, s, deadline));
                return s;
            }
        }

        return null;
    }

    /// <summary>Whether a responder exists for <paramref name="request"/> (nothing registered).</summary>
    public bool HasResponder(BusMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var entry in responders.Match(request.Topic))
        {
            if (Accepts(entry.Value, request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The reply from <paramref name="memberId"/> to request <paramref name="requestId"/>: the pending
    /// request when that member is its responder and it has not expired, else null (unknown, late,
    /// answered already, or a member that was not asked).
    /// </summary>
    public BusPendingRequest? Reply(string requestId, string memberId)
    {
        if (!pending.TryGetValue(requestId, out var p) || p.Responder.MemberId != memberId)
        {
            return null;
        }

        pending.Remove(requestId);
        return p;
    }

    /// <summary>Removes and returns requests whose deadline is at or before <paramref name="now"/> (they time out).</summary>
    public IReadOnlyList<BusPendingRequest> Expire(long now)
    {
        List<BusPendingRequest>? expired = null;
        foreach (var p in pending.Values)
        {
            if (p.Deadline <= now)
            {
                (expired ??= []).Add(p);
            }
        }

        if (expired is null)
        {
            return [];
        }

        foreach (var p in expired)
        {
            pending.Remove(p.Request.Id);
        }

        return expired;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of the most recent messages (oldest first) whose topic matches
    /// <paramref name="pattern"/> and that the reader may receive: the topic is within one of
    /// <paramref name="readable"/> (its declared subscribe patterns) and the message was not targeted
    /// at another plugin.
    /// </summary>
    public IReadOnlyList<BusMessage> History(string pattern, IReadOnlyList<string> readable, string readerPlugin, int limit)
    {
        ArgumentNullException.ThrowIfNull(readable);
        if (!TopicRules.IsValidPattern(pattern) || limit <= 0 || readable.Count == 0)
        {
            return [];
        }

        var found = new List<BusMessage>();
        for (var i = 1; i <= historyCount && found.Count < limit; i++)
        {
            var m = history[(historyNext - i + history.Length) % history.Length]!;
            if (m.Target is not null && !string.Equals(m.Target, readerPlugin, StringComparison.Ordinal))
            {
                continue;
            }

            if (!TopicRules.Matches(pattern, m.Topic) || !readable.Any(r => TopicRules.Matches(r, m.Topic)))
            {
                continue;
            }

            found.Add(m);
        }

        found.Reverse();
        return found;
    }

    private static bool Accepts(BusSubscription s, BusMessage m) =>
        !string.Equals(s.MemberId, m.SenderMember, StringComparison.Ordinal) &&
        (m.Target is null || string.Equals(s.PluginId, m.Target, StringComparison.Ordinal)) &&
        (s.From is null || string.Equals(s.From, m.SenderPlugin, StringComparison.Ordinal));
}
