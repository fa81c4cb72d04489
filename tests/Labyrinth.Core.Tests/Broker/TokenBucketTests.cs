using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTake_WithinLimit_IsAllowed()
    {
        var bucket = new TokenBucket(3, 3, T0);
        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(bucket.TryTake(T0).Allowed));
    }

    [Fact]
    public void TryTake_OverLimit_IsRefusedWithRetryAfter()
    {
        var bucket = new TokenBucket(2, 2, T0);
        bucket.TryTake(T0);
        bucket.TryTake(T0);
        var (allowed, retryAfter) = bucket.TryTake(T0);
        Assert.False(allowed);
        Assert.Equal(30, retryAfter);
    }

    [Fact]
    public void TryTake_AfterRefillTime_IsAllowedAgain()
    {
        var bucket = new TokenBucket(60, 60, T0);
        for (var i = 0; i < 60; i++)
        {
            bucket.TryTake(T0);
        }

        Assert.False(bucket.TryTake(T0).Allowed);
        Assert.True(bucket.TryTake(T0.AddSeconds(1)).Allowed);
    }

    [Fact]
    public void TryTake_LongIdle_RefillsOnlyToCapacity()
    {
        var bucket = new TokenBucket(2, 2, T0);
        var later = T0.AddHours(1);
        Assert.True(bucket.TryTake(later).Allowed);
        Assert.True(bucket.TryTake(later).Allowed);
        Assert.False(bucket.TryTake(later).Allowed);
    }

    [Fact]
    public void TryTake_BurstBelowRate_AllowsOnlyTheBurstAtOnce()
    {
        var bucket = new TokenBucket(600, 5, T0);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(bucket.TryTake(T0).Allowed));
        Assert.False(bucket.TryTake(T0).Allowed);
    }

    [Fact]
    public void TryTake_BurstBelowRate_RefillsAtTheSustainedRate()
    {
        var bucket = new TokenBucket(600, 5, T0);
        for (var i = 0; i < 5; i++)
        {
            bucket.TryTake(T0);
        }

        // 600 a minute is 10 a second: after 0.3 s three more fit, not a fourth.
        var later = T0.AddMilliseconds(300);
        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(bucket.TryTake(later).Allowed));
        Assert.False(bucket.TryTake(later).Allowed);
    }
}
