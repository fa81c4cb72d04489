using System.Collections.Concurrent;
using Labyrinth.Core.Broker;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// Per card, per service token buckets, in memory. With several host instances each instance
/// counts on its own (documented in docs/operations.md); Redis counters are the scale-out answer.
/// </summary>
internal sealed class BrokerRateLimiter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(Guid BoardId, string WindowId, string ServiceId), TokenBucket> buckets = new();

    public (bool Allowed, int RetryAfterSeconds) TryTake(Guid boardId, string windowId, string serviceId, int perMinute, int burst)
    {
        var now = clock.GetUtcNow();
        var key = (boardId, windowId, serviceId);
        var bucket = buckets.GetOrAdd(key, _ => new TokenBucket(perMinute, burst, now));
        if (bucket.PerMinute != perMinute || bucket.Burst != burst)
        {
            // The admin changed the limit: start a fresh bucket at the new rate.
            bucket = new TokenBucket(perMinute, burst, now);
            buckets[key] = bucket;
        }

        return bucket.TryTake(now);
    }
}
