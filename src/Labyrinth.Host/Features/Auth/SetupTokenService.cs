using System.Security.Cryptography;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// The first-run setup token: one per deployment, usable once, for <see cref="Lifetime"/>. It is
/// issued by whichever instance first finds no account, under a database lock, and stored twice:
/// as a SHA-256 hash (what <see cref="ConsumeAsync"/> checks) and sealed with the Data Protection
/// key ring the instances share, so every instance that starts before the account exists prints
/// the same link instead of voiding the one another instance printed. Using it erases the sealed
/// copy.
/// </summary>
internal sealed partial class SetupTokenService(LabyrinthDb db, IDataProtectionProvider protection, TimeProvider clock, ILogger<SetupTokenService> log)
{
    /// <summary>How long a setup link works; the first start after that prints a new one.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly IDataProtector protector = protection.CreateProtector("Labyrinth.Setup.Token.v1");

    /// <summary>
    /// The deployment's setup token in clear (the caller prints it and nothing else ever sees it)
    /// and when it expires; null when an account exists. Reprints the current token when it is
    /// unused, unexpired and readable with this instance's key ring; otherwise issues a new one,
    /// which voids the old.
    /// </summary>
    public async Task<IssuedSetupToken?> IssueOrReprintAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TransactionLocks.TakeAsync(db, TransactionLock.SetupToken, ct);
        if (await db.Users.AnyAsync(ct))
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var current = await db.SetupTokens.AsNoTracking()
            .Where(t => t.UsedAt == null).OrderByDescending(t => t.Id).FirstOrDefaultAsync(ct);
        if (current is not null && current.CreatedAt + Lifetime > now)
        {
            if (Unseal(current) is { } token)
            {
                await tx.CommitAsync(ct);
                return new IssuedSetupToken(token, new DateTimeOffset(current.CreatedAt + Lifetime, TimeSpan.Zero));
            }

            LogUnreadable(log);
        }

        await db.SetupTokens.Where(t => t.UsedAt == null).ExecuteDeleteAsync(ct);
        var fresh = Ids.NewToken();
        db.SetupTokens.Add(new SetupTokenEntity { TokenHash = Ids.Sha256Hex(fresh), SealedToken = protector.Protect(fresh), CreatedAt = now });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new IssuedSetupToken(fresh, new DateTimeOffset(now + Lifetime, TimeSpan.Zero));
    }

    /// <summary>
    /// Marks the token used and erases its sealed copy; false when it is wrong, expired or already
    /// used. Atomic, so two racing requests (on any instances) cannot both win.
    /// </summary>
    public async Task<bool> ConsumeAsync(string token, CancellationToken ct)
    {
        var hash = Ids.Sha256Hex(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var issuedAfter = now - Lifetime;
        var updated = await db.SetupTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.CreatedAt > issuedAfter)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now).SetProperty(t => t.SealedToken, (string?)null), ct);
        return updated == 1;
    }

    // The hash check guards against a sealed copy that does not belong to its row.
    private string? Unseal(SetupTokenEntity row)
    {
        if (row.SealedToken is null)
        {
            return null;
        }

        try
        {
            var token = protector.Unprotect(row.SealedToken);
            return CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(Ids.Sha256Hex(token)), System.Text.Encoding.ASCII.GetBytes(row.TokenHash)) ? token : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1, EventName = "SetupTokenReplaced", Level = LogLevel.Warning, Message =
        "The unused setup link cannot be read back with this instance's Data Protection key ring (is the key ring shared through Redis? docs/operations.md, Scale-out), " +
        "so a new link replaces it and the one printed earlier no longer works.")]
    private static partial void LogUnreadable(ILogger logger);
}

/// <summary>The setup token in clear and when it stops working.</summary>
internal sealed record IssuedSetupToken(string Token, DateTimeOffset ExpiresAt);
