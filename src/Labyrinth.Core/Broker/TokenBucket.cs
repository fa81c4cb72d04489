namespace Labyrinth.Core.Broker;

/// <summary>
/// A token bucket holding up to <c>burst</c> requests that refills continuously at
/// <c>perMinute / 60</c> per second, so a card may send <c>burst</c> requests at once and then
/// <c>perMinute</c> a minute. Time comes from the caller, so tests never sleep. Thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock gate = new();
    private readonly double capacity;
    private readonly double perSecond;
    private double tokens;
    private DateTimeOffset last;

    public TokenBucket(int perMinute, int burst, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        capacity = burst;
        perSecond = perMinute / 60.0;
        tokens = capacity;
        last = now;
        PerMinute = perMinute;
        Burst = burst;
    }

    public int PerMinute { get; }

    public int Burst { get; }

    /// <summary>Takes one token; when none is left, says how long until one is (rounded up to whole seconds, at least 1).</summary>
    public (bool Allowed, int RetryAfterSeconds) TryTake(DateTimeOffset now)
    {
        lock (gate)
        {
            if (now > last)
            {
                tokens = Math.Min(capacity, tokens + (now - last).TotalSeconds * perSecond);
                last = now;
            }

            if (tokens >= 1)
            {
                tokens -= 1;
                return (true, 0);
            }

            var wait = (1 - tokens) / perSecond;
            return (false, Math.Max(1, (int)Math.Ceiling(wait)));
        }
    }
}
