using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// The first-run setup token: printed once as a URL, stored only as a SHA-256 hash, usable once.
/// </summary>
internal sealed class SetupTokenService(LabyrinthDb db, TimeProvider clock)
{
    /// <summary>Replaces any unused token with a fresh one and returns it in clear (the only time it exists in clear).</summary>
    public async Task<string> IssueAsync(CancellationToken ct)
    {
        await db.SetupTokens.Where(t => t.UsedAt == null).ExecuteDeleteAsync(ct);
        var token = Ids.NewToken();
        db.SetupTokens.Add(new SetupTokenEntity { TokenHash = Ids.Sha256Hex(token), CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Marks the token used; false when it is wrong or already used. Atomic, so two racing requests cannot both win.</summary>
    public async Task<bool> ConsumeAsync(string token, CancellationToken ct)
    {
        var hash = Ids.Sha256Hex(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var updated = await db.SetupTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        return updated == 1;
    }
}
