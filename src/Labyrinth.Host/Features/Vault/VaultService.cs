using Labyrinth.Core.Broker;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Vault;

/// <summary>
/// The secrets vault. Values are encrypted with Data Protection (purpose "Labyrinth.Vault.v1", key
/// ring in {DataDir}/keys/dataprotection) before they touch the database, and are decrypted only
/// by <see cref="ResolveAsync"/> for the broker. Nothing here returns or logs a value.
/// </summary>
internal sealed class VaultService(LabyrinthDb db, IDataProtectionProvider protection, AuditLog audit, TimeProvider clock)
{
    public const string Purpose = "Labyrinth.Vault.v1";

    // Compiled once: every broker call resolves its key.
    private static readonly Func<LabyrinthDb, string, Guid, IAsyncEnumerable<SecretEntity>> SecretsFor =
        EF.CompileAsyncQuery((LabyrinthDb db, string serviceId, Guid userId) =>
            db.Secrets.AsNoTracking().Where(s => s.ServiceId == serviceId && (s.OwnerId == userId || s.OwnerId == null)));

    private readonly IDataProtector protector = protection.CreateProtector(Purpose);

    /// <summary>Admin view: every shared secret and the metadata of every user secret.</summary>
    public async Task<SecretDto[]> ListAllAsync(CancellationToken ct) => await ListAsync(db.Secrets.AsNoTracking(), ct);

    public async Task<SecretDto[]> ListOwnAsync(Guid userId, CancellationToken ct) => await ListAsync(db.Secrets.AsNoTracking().Where(s => s.OwnerId == userId), ct);

    /// <summary>Creates a shared (<paramref name="ownerId"/> null) or user secret; one per service and owner.</summary>
    public async Task<Outcome<SecretDto>> CreateAsync(Guid? ownerId, string name, string serviceId, string value, string actor, CancellationToken ct)
    {
        if (!await db.NetworkServices.AnyAsync(s => s.Id == serviceId, ct))
        {
            return Refusal.NotFound(ErrorCodes.ServiceNotFound, $"There is no network service \"{serviceId}\". An admin defines services first.");
        }

        if (await db.Secrets.AnyAsync(s => s.ServiceId == serviceId && s.OwnerId == ownerId, ct))
        {
            return Refusal.Conflict(ErrorCodes.SecretExists,
                ownerId is null
                    ? $"A shared secret for \"{serviceId}\" already exists; rotate it instead."
                    : $"You already have a secret for \"{serviceId}\"; rotate it instead.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var entity = new SecretEntity
        {
            Id = Guid.NewGuid(),
            Name = name.Trim(),
            ServiceId = serviceId,
            OwnerId = ownerId,
            Protected = protector.Protect(value),
            Last4 = ServiceRules.Last4(value),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Secrets.Add(entity);
        await audit.AppendAsync(actor, VaultAuditActions.Create, null, AuditDetail(entity), ct);
        return (await ListAsync(db.Secrets.AsNoTracking().Where(s => s.Id == entity.Id), ct)).Single();
    }

    /// <summary>Replaces the value. <paramref name="ownerId"/> restricts to the caller's own secrets; null = admin (any).</summary>
    public async Task<Outcome<SecretDto>> RotateAsync(Guid id, Guid? ownerId, bool admin, string value, string actor, CancellationToken ct)
    {
        var entity = await FindAsync(id, ownerId, admin, ct);
        if (entity is null)
        {
            return NotFound();
        }

        entity.Protected = protector.Protect(value);
        entity.Last4 = ServiceRules.Last4(value);
        entity.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await audit.AppendAsync(actor, VaultAuditActions.Rotate, null, AuditDetail(entity), ct);
        return (await ListAsync(db.Secrets.AsNoTracking().Where(s => s.Id == entity.Id), ct)).Single();
    }

    public async Task<Refusal?> DeleteAsync(Guid id, Guid? ownerId, bool admin, string actor, CancellationToken ct)
    {
        var entity = await FindAsync(id, ownerId, admin, ct);
        if (entity is null)
        {
            return NotFound();
        }

        db.Secrets.Remove(entity);
        await audit.AppendAsync(actor, VaultAuditActions.Delete, null, AuditDetail(entity), ct);
        return null;
    }

    /// <summary>
    /// The value the broker injects for <paramref name="userId"/>'s cards: the user's own secret for
    /// the service wins over the shared one. Null when neither exists (or cannot be decrypted, e.g.
    /// the key ring was lost — the admin then stores the secret again).
    /// </summary>
    public async Task<ResolvedSecret?> ResolveAsync(string serviceId, Guid userId, CancellationToken ct)
    {
        var candidates = await SecretsFor(db, serviceId, userId).ToListAsync(ct);
        var chosen = candidates.FirstOrDefault(s => s.OwnerId == userId) ?? candidates.FirstOrDefault(s => s.OwnerId == null);
        if (chosen is null)
        {
            return null;
        }

        try
        {
            return new ResolvedSecret(chosen.Id, chosen.OwnerId is null ? SecretScopes.Shared : SecretScopes.User, protector.Unprotect(chosen.Protected));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when some secret (the user's or the shared one) exists for the service.</summary>
    public Task<bool> IsConfiguredAsync(string serviceId, Guid? userId, CancellationToken ct) =>
        db.Secrets.AnyAsync(s => s.ServiceId == serviceId && (s.OwnerId == null || (userId != null && s.OwnerId == userId)), ct);

    private async Task<SecretEntity?> FindAsync(Guid id, Guid? ownerId, bool admin, CancellationToken ct) =>
        await db.Secrets.SingleOrDefaultAsync(s => s.Id == id && (admin || s.OwnerId == ownerId), ct);

    private async Task<SecretDto[]> ListAsync(IQueryable<SecretEntity> query, CancellationToken ct)
    {
        var rows = await query
            .GroupJoin(db.Users.AsNoTracking(), s => s.OwnerId, u => u.Id, (s, users) => new { s, users })
            .SelectMany(x => x.users.DefaultIfEmpty(), (x, u) => new { x.s, Owner = u == null ? null : u.UserName })
            .ToListAsync(ct);
        return rows
            .OrderBy(r => r.s.ServiceId, StringComparer.Ordinal).ThenBy(r => r.s.OwnerId is null ? 0 : 1).ThenBy(r => r.Owner, StringComparer.Ordinal)
            .Select(r => new SecretDto(r.s.Id, r.s.Name, r.s.ServiceId, r.s.OwnerId is null ? SecretScopes.Shared : SecretScopes.User, r.Owner, r.s.Last4,
                r.s.CreatedAt, r.s.UpdatedAt, r.s.LastUsedAt))
            .ToArray();
    }

    private static object AuditDetail(SecretEntity s) => new
    {
        secretId = s.Id,
        name = s.Name,
        serviceId = s.ServiceId,
        scope = s.OwnerId is null ? SecretScopes.Shared : SecretScopes.User,
        ownerId = s.OwnerId,
    };

    private static Refusal NotFound() => Refusal.NotFound(ErrorCodes.SecretNotFound, "There is no such secret.");

}

/// <summary>A decrypted secret, alive only for one broker request. ToString never shows the value.</summary>
internal sealed record ResolvedSecret(Guid Id, string Scope, string Value)
{
    public override string ToString() => $"ResolvedSecret {{ Id = {Id}, Scope = {Scope} }}";
}
