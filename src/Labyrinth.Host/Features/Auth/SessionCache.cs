using Labyrinth.Host.Data;

namespace Labyrinth.Host.Features.Auth;

/// <summary>What the session check needs of an account (enabled accounts only are cached).</summary>
internal sealed record SessionAccount(string UserName, string Role, DateTime? DisabledAt, string SessionStamp);

/// <summary>An account and its signed-out sessions.</summary>
internal sealed record CachedSession(SessionAccount Account, string[] RevokedSessions);

/// <summary>
/// Validated accounts kept in memory for exactly as long as no account has changed anywhere, keyed
/// by account id under the account epoch. Every write to the accounts table and every sign-out, by
/// any writer, moves that epoch in the same transaction, so once the change that disabled an
/// account, reset its password, changed its role, deleted it or signed one of its sessions out is
/// committed, no instance honours the old account again.
/// </summary>
internal sealed class SessionCache : EpochCache<Guid, CachedSession>;
