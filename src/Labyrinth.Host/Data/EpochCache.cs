using System.Collections.Concurrent;

namespace Labyrinth.Host.Data;

/// <summary>
/// Values read from the database, kept for one epoch of their counter (<see cref="DataEpochs"/>):
/// a value is used only while the counter reads what it read just before the value was loaded.
/// Every write that could change a kept value moves the counter in the same transaction, whoever
/// writes, so once such a change is committed nothing kept from before it is served again. A newer
/// epoch starts an empty generation, so what is held is bounded by what was used since the last
/// change. The session cache and the card lookup are the two uses; a third cache is one more.
/// </summary>
internal abstract class EpochCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private Generation current = new(long.MinValue);

    /// <summary>The value kept for <paramref name="key"/> under <paramref name="epoch"/>, if nothing changed since.</summary>
    public TValue? Find(TKey key, long epoch)
    {
        var generation = Volatile.Read(ref current);
        return generation.Epoch == epoch && generation.Values.TryGetValue(key, out var value) ? value : null;
    }

    /// <summary>Keeps <paramref name="value"/>, read from the database after <paramref name="epoch"/> was read.</summary>
    public void Store(TKey key, long epoch, TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var generation = Volatile.Read(ref current);
        while (generation.Epoch < epoch)
        {
            var fresh = new Generation(epoch);
            var seen = Interlocked.CompareExchange(ref current, fresh, generation);
            generation = ReferenceEquals(seen, generation) ? fresh : seen;
        }

        // Read under an epoch that has moved on: it may already be stale, so it is not kept.
        if (generation.Epoch == epoch)
        {
            generation.Values[key] = value;
        }
    }

    private sealed class Generation(long epoch)
    {
        public long Epoch { get; } = epoch;

        public ConcurrentDictionary<TKey, TValue> Values { get; } = new();
    }
}
