using System.Reflection;
using System.Text.Json;
using Labyrinth.Core.Audit;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Audit;

/// <summary>
/// Marks a static class whose <c>public const string</c> fields are audit action names. Every
/// feature keeps its actions beside its code; <see cref="AuditActions.All"/> gathers them into the
/// one catalogue the admin UI filters on (GET /api/admin/audit/actions).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class AuditActionCatalogueAttribute : Attribute;

/// <summary>The plugin governance audit action names (docs/api.md); stable, clients filter on them.</summary>
[AuditActionCatalogue]
internal static class AuditActions
{
    public const string Install = "plugin.install";
    public const string InstallRejected = "plugin.install_rejected";
    public const string ReplaceDevBuild = "plugin.replace_dev_build";
    public const string Enable = "plugin.enable";
    public const string Disable = "plugin.disable";
    public const string Kill = "plugin.kill";
    public const string Unkill = "plugin.unkill";
    public const string Activate = "plugin.activate";
    public const string Rollback = "plugin.rollback";
    public const string Uninstall = "plugin.uninstall";
    public const string TrustAdd = "trust.add";
    public const string TrustRemove = "trust.remove";
    public const string PolicyChange = "policy.change";
    public const string CardMountFailed = "card.mount_failed";

    /// <summary>The actor of changes the host makes itself (first run); an actor, not an action.</summary>
    public const string SystemActor = "system";

    private static readonly Lazy<string[]> Catalogue = new(() =>
        typeof(AuditActions).Assembly.GetTypes()
            .Where(t => t.IsDefined(typeof(AuditActionCatalogueAttribute), inherit: false))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true, FieldType.Name: nameof(String) } && f.Name != nameof(SystemActor))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray());

    /// <summary>Every action any feature writes, sorted.</summary>
    public static IReadOnlyList<string> All => Catalogue.Value;
}

/// <summary>One process-wide gate: reading the chain head and inserting the next row must not interleave.</summary>
internal sealed class AuditGate
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// The append-only, hash-chained audit log. This is the only code that writes AuditEntries, and
/// it only inserts. Never put secrets (tokens, keys' private parts, passwords) in a detail.
/// </summary>
internal sealed class AuditLog(LabyrinthDb db, AuditGate gate, TimeProvider clock)
{
    /// <summary>
    /// Appends one entry and saves every pending change of this request's DbContext in the same
    /// SaveChanges (one transaction), so a governance change and its audit row commit together.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(string actor, string action, string? pluginId, object detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(action);
        var detailJson = JsonSerializer.Serialize(detail, JsonSerializerOptions.Web);
        await gate.Gate.WaitAsync(ct);
        try
        {
            var head = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Sequence).FirstOrDefaultAsync(ct);
            var entry = AuditChain.Append(head is null ? null : ToCore(head), clock.GetUtcNow().UtcDateTime, actor, action, pluginId, detailJson);
            db.AuditEntries.Add(new AuditEntryEntity
            {
                Sequence = entry.Sequence,
                AtUtc = entry.AtUtc,
                Actor = entry.Actor,
                Action = entry.Action,
                PluginId = entry.PluginId,
                DetailJson = entry.DetailJson,
                PrevHash = entry.PrevHash,
                Hash = entry.Hash,
            });
            await db.SaveChangesAsync(ct);
            return entry;
        }
        finally
        {
            gate.Gate.Release();
        }
    }

    /// <summary>Every entry in insertion (row) order, which is the order the chain must verify in.</summary>
    public async Task<List<AuditEntry>> ReadAllAsync(CancellationToken ct) =>
        (await db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct)).Select(ToCore).ToList();

    public static AuditEntry ToCore(AuditEntryEntity e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Sequence, e.AtUtc, e.Actor, e.Action, e.PluginId, e.DetailJson, e.PrevHash, e.Hash);
    }
}
