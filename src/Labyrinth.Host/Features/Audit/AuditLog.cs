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

/// <summary>
/// One process-wide gate: reading the chain head and inserting the next row must not interleave.
/// Across instances (PostgreSQL) the database serializes appends as well
/// (<see cref="TransactionLock.AuditChain"/>, taken inside the gate and the transaction).
/// Always taken after the database's write gate (<see cref="SqliteWriteGate"/>, held by an open
/// transaction): callers append inside their own transactions (a role change and its entry commit
/// together), so an append that took this gate first and then waited for the write gate would
/// deadlock with them.
/// </summary>
internal sealed class AuditGate
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>An audit entry to append, before the chain gives it a sequence number and hashes.</summary>
internal sealed record AuditDraft(DateTime AtUtc, string Actor, string Action, string? PluginId, string DetailJson);

/// <summary>
/// The append-only, hash-chained audit log. This is the only code that writes AuditEntries, and
/// it only inserts. Never put secrets (tokens, keys' private parts, passwords) in a detail.
/// </summary>
internal sealed class AuditLog(LabyrinthDb db, AuditGate gate, TimeProvider clock)
{
    /// <summary>
    /// Appends one entry and saves every pending change of this request's DbContext with it, so a
    /// governance change and its audit row commit together: in the caller's transaction when one
    /// is open, else in a transaction of its own.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(string actor, string action, string? pluginId, object detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(action);
        var detailJson = JsonSerializer.Serialize(detail, JsonSerializerOptions.Web);

        // The write gate (by opening a transaction) before the chain gate, as everywhere.
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        AuditEntry entry;
        await gate.Gate.WaitAsync(ct);
        try
        {
            await TransactionLocks.TakeAsync(db, TransactionLock.AuditChain, ct);
            entry = AuditChain.Append(await HeadAsync(ct), Storable(clock.GetUtcNow().UtcDateTime), actor, action, pluginId, detailJson);
            db.AuditEntries.Add(ToEntity(entry));
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            gate.Gate.Release();
        }

        if (own is not null)
        {
            await own.CommitAsync(ct);
        }

        return entry;
    }

    /// <summary>
    /// Appends <paramref name="drafts"/> in order after the current head, in one transaction with
    /// every pending change of this DbContext and whatever <paramref name="alsoWrite"/> writes: one
    /// commit (one fsync) for the whole batch, and either all of it is stored or none of it. The
    /// transaction (the database's write gate) is opened first, then the chain gate is held from
    /// reading the head to the commit.
    /// </summary>
    public async Task AppendManyAsync(IReadOnlyList<AuditDraft> drafts, Func<CancellationToken, Task>? alsoWrite, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await gate.Gate.WaitAsync(ct);
        try
        {
            await TransactionLocks.TakeAsync(db, TransactionLock.AuditChain, ct);
            var previous = await HeadAsync(ct);
            foreach (var d in drafts)
            {
                previous = AuditChain.Append(previous, Storable(d.AtUtc), d.Actor, d.Action, d.PluginId, d.DetailJson);
                db.AuditEntries.Add(ToEntity(previous));
            }

            await db.SaveChangesAsync(ct);
            if (alsoWrite is not null)
            {
                await alsoWrite(ct);
            }

            await tx.CommitAsync(ct);
        }
        finally
        {
            gate.Gate.Release();
        }
    }

    /// <summary>
    /// The time as every engine stores it: PostgreSQL keeps whole microseconds, so a hash computed
    /// over .NET's 100 ns ticks would no longer match the row read back.
    /// </summary>
    private static DateTime Storable(DateTime atUtc) => new(atUtc.Ticks - (atUtc.Ticks % 10), DateTimeKind.Utc);

    private async Task<AuditEntry?> HeadAsync(CancellationToken ct)
    {
        var head = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Sequence).FirstOrDefaultAsync(ct);
        return head is null ? null : ToCore(head);
    }

    private static AuditEntryEntity ToEntity(AuditEntry entry) => new()
    {
        Sequence = entry.Sequence,
        AtUtc = entry.AtUtc,
        Actor = entry.Actor,
        Action = entry.Action,
        PluginId = entry.PluginId,
        DetailJson = entry.DetailJson,
        PrevHash = entry.PrevHash,
        Hash = entry.Hash,
    };

    /// <summary>Every entry in insertion (row) order, which is the order the chain must verify in.</summary>
    public async Task<List<AuditEntry>> ReadAllAsync(CancellationToken ct) =>
        (await db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct)).Select(ToCore).ToList();

    public static AuditEntry ToCore(AuditEntryEntity e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Sequence, e.AtUtc, e.Actor, e.Action, e.PluginId, e.DetailJson, e.PrevHash, e.Hash);
    }
}
