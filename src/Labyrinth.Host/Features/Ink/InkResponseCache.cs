using Microsoft.Extensions.Caching.Memory;

namespace Labyrinth.Host.Features.Ink;

/// <summary>
/// Serialised <c>GET …/strokes</c> answers by (board, revision). A revision's strokes never change,
/// so an entry is never stale, only unused; the cache is bounded by bytes and forgets idle boards.
/// A private cache, so its size accounting cannot disturb anyone else's.
/// </summary>
internal sealed class InkResponseCache : IDisposable
{
    public const long MaxBytes = 64L * 1024 * 1024;

    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    public byte[]? Get(Guid boardId, long revision) =>
        cache.TryGetValue((boardId, revision), out byte[]? body) ? body : null;

    public void Set(Guid boardId, long revision, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.LongLength > MaxBytes / 4)
        {
            return; // one huge board must not evict everyone else's
        }

        cache.Set((boardId, revision), body, new MemoryCacheEntryOptions { Size = body.LongLength, SlidingExpiration = Idle });
    }

    public void Dispose() => cache.Dispose();
}
