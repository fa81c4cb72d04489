using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Tests.Authoring;

/// <summary>The in-memory record of CSP reports stays bounded whatever a card (or anyone) sends.</summary>
public sealed class CspReportStoreTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private static readonly CspViolation One = new("img-src", "https://example.com/", null, null, null, null, "enforce");

    [Fact]
    public void Add_MoreThanTheRingHolds_KeepsTheNewest()
    {
        var store = new CspReportStore(new ManualClock());
        var owner = new CspReportOwner(Guid.NewGuid(), true, "a");

        for (var i = 0; i < CspReportStore.PerViewerVersion + 10; i++)
        {
            store.Add(owner, "1.0.0", [One with { Blocked = $"https://example.com/{i}" }]);
        }

        var kept = store.Read(owner.UserId, "a", "1.0.0", 0).Violations;
        Assert.Equal(CspReportStore.PerViewerVersion, kept.Length);
        Assert.Equal($"https://example.com/{CspReportStore.PerViewerVersion + 9}", kept[^1].Blocked);
    }

    [Fact]
    public void Add_MoreViewersThanTheTableHolds_ForgetsTheLeastRecentlyWritten()
    {
        var store = new CspReportStore(new ManualClock());
        var first = new CspReportOwner(Guid.NewGuid(), true, "a");
        store.Add(first, "1.0.0", [One]);

        for (var i = 0; i < CspReportStore.MaxKeys; i++)
        {
            store.Add(new CspReportOwner(Guid.NewGuid(), true, "a"), "1.0.0", [One]);
        }

        Assert.Equal(CspReportStore.MaxKeys, store.KeyCount);
        Assert.Empty(store.Read(first.UserId, "a", "1.0.0", 0).Violations);
    }

    [Fact]
    public void TryTake_BurstSpent_RefusedUntilTimeRefillsIt()
    {
        var clock = new ManualClock();
        var store = new CspReportStore(clock);

        Assert.True(store.TryTake("a", "1.0.0", CspReportStore.Burst));
        Assert.False(store.TryTake("a", "1.0.0", 1));
        Assert.True(store.TryTake("a", "2.0.0", 1)); // per version
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(store.TryTake("a", "1.0.0", (int)CspReportStore.PerSecond));
        Assert.False(store.TryTake("a", "1.0.0", 1));
    }
}
