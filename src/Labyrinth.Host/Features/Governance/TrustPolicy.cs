using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Signing;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Governance;

/// <summary>
/// Enable/disable, kill/unkill, activate/rollback, uninstall, trust store and policy. Every change
/// runs under the governance gate, is audited in the same SaveChanges, reloads the catalog at once
/// and is pushed to browsers (pluginsChanged; pluginKilled for kills).
/// </summary>
/// <summary>
/// Which packages this host trusts: the publisher keys whose signatures it accepts and the policy
/// (Strict: signed by a trusted key, or an allowlisted plugin id when unsigned). Changes run under
/// the governance gate and are audited in the same SaveChanges.
/// </summary>
internal sealed partial class TrustPolicy(LabyrinthDb db, AuditLog audit, GovernanceGate gate, PluginEvents events, TimeProvider clock)
{
    public const string PolicyMode = "Strict";

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ReverseDnsId();

    public async Task<TrustedKeyDto[]> ListTrustAsync(CancellationToken ct) =>
        (await db.TrustedKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync(ct)).Select(ToDto).ToArray();

    public Task<Outcome<TrustedKeyDto>> AddTrustAsync(AddTrustRequest request, string actor, CancellationToken ct) => gate.RunAsync<Outcome<TrustedKeyDto>>(async () =>
    {
        var name = request.Name?.Trim();
        var key = request.PublicKey is null ? null : DecodePublicKey(request.PublicKey.Trim());
        if (string.IsNullOrEmpty(name) || name.Length > 100 || key is null)
        {
            return Refusal.Invalid(ErrorCodes.TrustInvalidKey,
                "A trusted key needs a name (1–100 characters) and publicKey: base64 of the raw 32-byte Ed25519 public key.");
        }

        var keyId = SignatureFile.KeyIdOf(key);
        var publicKey = Convert.ToBase64String(key);
        if (await db.TrustedKeys.AnyAsync(k => k.KeyId == keyId || k.PublicKey == publicKey, ct))
        {
            return Refusal.Conflict(ErrorCodes.TrustKeyExists, $"The key {keyId} is already trusted.");
        }

        var row = new TrustedKeyEntity { KeyId = keyId, Name = name, PublicKey = publicKey, AddedAt = Now };
        db.TrustedKeys.Add(row);
        await audit.AppendAsync(actor, AuditActions.TrustAdd, null, new { keyId, name, publicKey }, ct);
        return ToDto(row);
    });

    public Task<Outcome<bool>> RemoveTrustAsync(string keyId, string actor, CancellationToken ct) => gate.RunAsync<Outcome<bool>>(async () =>
    {
        var row = await db.TrustedKeys.SingleOrDefaultAsync(k => k.KeyId == keyId, ct);
        if (row is null)
        {
            return Refusal.NotFound(ErrorCodes.TrustKeyNotFound, $"No trusted key {keyId}.");
        }

        db.TrustedKeys.Remove(row);
        await audit.AppendAsync(actor, AuditActions.TrustRemove, null, new { keyId, name = row.Name, publicKey = row.PublicKey }, ct);
        return true;
    });

    public async Task<PolicyDto> GetPolicyAsync(CancellationToken ct) =>
        new(PolicyMode, (await db.UnsignedAllowlist.AsNoTracking().Select(a => a.PluginId).ToListAsync(ct)).Order(StringComparer.Ordinal).ToArray());

    public Task<Outcome<PolicyDto>> SetPolicyAsync(PolicyRequest request, string actor, CancellationToken ct) => gate.RunAsync<Outcome<PolicyDto>>(async () =>
    {
        var wanted = (request.UnsignedAllowlist ?? []).Select(i => i?.Trim() ?? "").ToList();
        var bad = wanted.Where(i => i.Length > 200 || !ReverseDnsId().IsMatch(i)).ToList();
        if (bad.Count > 0 || wanted.Count > 1000)
        {
            return Refusal.Invalid(ErrorCodes.PolicyInvalid,
                $"unsignedAllowlist holds plugin ids (reverse-DNS, like \"com.example.tool\"), at most 1000; not ids: {string.Join(", ", bad.Take(10).Select(b => $"\"{b}\""))}.");
        }

        var target = wanted.ToHashSet(StringComparer.Ordinal);
        var current = await db.UnsignedAllowlist.ToListAsync(ct);
        var removed = current.Where(c => !target.Contains(c.PluginId)).ToList();
        var added = target.Except(current.Select(c => c.PluginId), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (removed.Count > 0 || added.Count > 0)
        {
            db.UnsignedAllowlist.RemoveRange(removed);
            db.UnsignedAllowlist.AddRange(added.Select(a => new UnsignedAllowlistEntity { PluginId = a, AddedAt = Now }));
            await audit.AppendAsync(actor, AuditActions.PolicyChange, null, new { mode = PolicyMode, added, removed = removed.Select(r => r.PluginId).Order(StringComparer.Ordinal).ToArray() }, ct);
            await events.ChangedAsync();
        }

        return await GetPolicyAsync(ct);
    });

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static byte[]? DecodePublicKey(string base64)
    {
        var buffer = new byte[SignatureFile.PublicKeyLength + 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written == SignatureFile.PublicKeyLength ? buffer[..written] : null;
    }

    private static TrustedKeyDto ToDto(TrustedKeyEntity k) => new(k.KeyId, k.Name, k.PublicKey, k.AddedAt);

}
