using System.Collections.Concurrent;
using Labyrinth.Host.Data;

namespace Labyrinth.Host.Features.Auth;

/// <summary>What the session check needs of an account (enabled accounts only are cached).</summary>
internal sealed record SessionAccount(string UserName, string Role, DateTime? DisabledAt, string SessionStamp);

/// <summary>An account and its signed-out sessions, as read under account epoch <paramref name="Epoch"/>.</summary>
internal sealed record CachedSession(long Epoch, SessionAccount Account, string[] RevokedSessions);

/// <summary>
/// Validated accounts kept in memory for exactly as long as no account has changed anywhere: an
/// entry is used only while the account epoch (<see cref="DataEpochs"/>) still reads what it read
/// just before the account was loaded. Every write to the accounts table and every sign-out, by
/// any writer, moves that epoch in the same transaction, so once the change that disabled an
/// account, reset its password, changed its role, deleted it or signed one of its sessions out is
/// committed, no instance honours the old account again.
/// </summary>
internal sealed class SessionCache
{
    private readonly ConcurrentDictionary<Guid, CachedSession> accounts = new();

    /// <summary>The account as loaded under <paramref name="epoch"/>, if nothing changed since.</summary>
    public CachedSession? Find(Guid id, long epoch) =>
        accounts.TryGetValue(id, out var entry) && entry.Epoch == epoch ? entry : null;

    /// <summary>Keeps <paramref name="session"/>, read from the database after its epoch was read.</summary>
    public void Store(Guid id, CachedSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Account.DisabledAt is null)
        {
            accounts[id] = session;
        }
    }
}
