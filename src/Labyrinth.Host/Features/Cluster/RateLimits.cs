using System.Collections.Concurrent;
using Labyrinth.Core.Broker;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Cluster;

/// <summary>A token bucket: <see cref="Burst"/> at once, refilled at <see cref="PerMinute"/> a minute.</summary>
internal readonly record struct RateLimit(int PerMinute, int Burst);

/// <summary>Whether a call may go on, and if not, how many whole seconds until it may.</summary>
internal readonly record struct RateDecision(bool Allowed, int RetryAfterSeconds);

/// <summary>
/// Every rate limit and throttle of the host behind one seam, so that N instances count as one:
/// in memory for a single instance, in Redis for a cluster. Keys name the limit and the thing
/// limited (<c>login:1.2.3.4</c>, <c>broker:board:window:service</c>). With Redis unreachable, both
/// operations throw <see cref="ClusterUnavailableException"/>: counting alone would multiply the limit.
/// </summary>
internal interface IRateLimits
{
    /// <summary>Takes one token from the bucket <paramref name="key"/>; a changed limit starts a fresh bucket.</summary>
    ValueTask<RateDecision> TryTakeAsync(string key, RateLimit limit, CancellationToken ct = default);

    /// <summary>True for the first claim of <paramref name="key"/> in each <paramref name="window"/> (one audit row per card per 10 s).</summary>
    ValueTask<bool> TryClaimAsync(string key, TimeSpan window, CancellationToken ct = default);
}

internal sealed class InMemoryRateLimits(TimeProvider clock) : IRateLimits
{
    private const int TrimAbove = 10_000;
    private readonly ConcurrentDictionary<string, TokenBucket> buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> claims = new(StringComparer.Ordinal);

    public ValueTask<RateDecision> TryTakeAsync(string key, RateLimit limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = clock.GetUtcNow();
        var bucket = buckets.GetOrAdd(key, _ => new TokenBucket(limit.PerMinute, limit.Burst, now));
        if (bucket.PerMinute != limit.PerMinute || bucket.Burst != limit.Burst)
        {
            // The admin changed the limit: start a fresh bucket at the new rate.
            bucket = new TokenBucket(limit.PerMinute, limit.Burst, now);
            buckets[key] = bucket;
        }

        if (buckets.Count > TrimAbove)
        {
            buckets.Clear(); // bounded memory; a full bucket for everyone is the generous side
        }

        var (allowed, retry) = bucket.TryTake(now);
        return ValueTask.FromResult(new RateDecision(allowed, retry));
    }

    public ValueTask<bool> TryClaimAsync(string key, TimeSpan window, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = clock.GetUtcNow();
        while (true)
        {
            if (!claims.TryGetValue(key, out var previous))
            {
                if (claims.TryAdd(key, now))
                {
                    Trim(now, window);
                    return ValueTask.FromResult(true);
                }

                continue;
            }

            if (now - previous < window)
            {
                return ValueTask.FromResult(false);
            }

            if (claims.TryUpdate(key, now, previous))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    // Bounded memory: forget claims whose window passed long ago.
    private void Trim(DateTimeOffset now, TimeSpan window)
    {
        if (claims.Count < TrimAbove)
        {
            return;
        }

        foreach (var (key, at) in claims)
        {
            if (now - at >= window)
            {
                claims.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, at));
            }
        }
    }
}

/// <summary>
/// The same buckets in Redis, one Lua script per take so concurrent instances never race, timed by
/// the Redis server's clock so instances with skewed clocks still agree.
/// </summary>
internal sealed class RedisRateLimits(RedisConnection redis) : IRateLimits
{
    // KEYS[1] bucket; ARGV: capacity, tokens per millisecond. Returns {allowed, retry-after ms}.
    private static readonly LuaScript TakeScript = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local cap = tonumber(@capacity)
        local rate = tonumber(@rate)
        local b = redis.call('HMGET', @key, 'tokens', 'at')
        local tokens = tonumber(b[1])
        local at = tonumber(b[2])
        if tokens == nil or at == nil then
          tokens = cap
          at = now
        end
        if now > at then
          tokens = math.min(cap, tokens + (now - at) * rate)
          at = now
        end
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
          tokens = tokens - 1
          allowed = 1
        else
          wait = math.ceil((1 - tokens) / rate)
        end
        redis.call('HSET', @key, 'tokens', tostring(tokens), 'at', at)
        redis.call('PEXPIRE', @key, math.ceil(cap / rate) + 1000)
        return { allowed, wait }
        """);

    public async ValueTask<RateDecision> TryTakeAsync(string key, RateLimit limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var db = redis.RequireDatabase("This rate-limited call");
        // The limit is part of the key: a changed limit starts a fresh bucket, as in memory.
        var bucketKey = redis.Key($"rl:{limit.PerMinute}:{limit.Burst}:{key}");
        RedisResult result;
        try
        {
            result = await TakeScript.EvaluateAsync(db, new { key = bucketKey, capacity = limit.Burst, rate = limit.PerMinute / 60_000.0 });
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new ClusterUnavailableException("This rate-limited call needs the other server instances, and this one cannot reach Redis right now. Try again in a moment.", ex);
        }

        var values = (RedisResult[])result!;
        var allowed = (int)values[0] == 1;
        var waitMs = (long)values[1];
        return new RateDecision(allowed, allowed ? 0 : (int)Math.Max(1, Math.Ceiling(waitMs / 1000.0)));
    }

    public async ValueTask<bool> TryClaimAsync(string key, TimeSpan window, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var db = redis.RequireDatabase("This rate-limited call");
        try
        {
            return await db.StringSetAsync(redis.Key("claim:" + key), 1, window, When.NotExists);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new ClusterUnavailableException("This rate-limited call needs the other server instances, and this one cannot reach Redis right now. Try again in a moment.", ex);
        }
    }
}

/// <summary>
/// The shared limits for counts that must never refuse a call because Redis is gone: the bus's
/// per-plugin rates (local delivery keeps working in an outage) and the audit throttles (one row
/// per window). They count in <see cref="IRateLimits"/> (once for the cluster); while Redis is
/// unreachable each instance counts alone, so a cluster of N allows at most N times the limit
/// until Redis is back, rather than refusing or writing nothing.
/// </summary>
internal sealed class SharedRateLimits(IRateLimits shared, TimeProvider clock)
{
    private readonly InMemoryRateLimits local = new(clock);

    public async ValueTask<RateDecision> TryTakeAsync(string key, RateLimit limit, CancellationToken ct = default)
    {
        try
        {
            return await shared.TryTakeAsync(key, limit, ct);
        }
        catch (ClusterUnavailableException)
        {
            return await local.TryTakeAsync(key, limit, ct);
        }
    }

    public async ValueTask<bool> TryClaimAsync(string key, TimeSpan window, CancellationToken ct = default)
    {
        try
        {
            return await shared.TryClaimAsync(key, window, ct);
        }
        catch (ClusterUnavailableException)
        {
            return await local.TryClaimAsync(key, window, ct);
        }
    }
}
