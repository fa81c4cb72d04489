using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Storage;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.PluginStorage;

/// <summary>
/// Who is asking, resolved by the route group before anything runs: the plugin (from the card or
/// the service, never from the request body), the person, and which storage capabilities they hold.
/// </summary>
internal sealed record StoragePrincipal(string PluginId, Guid UserId, bool CanRead, bool CanWrite, bool CanWriteWorkspace);

/// <summary>The "Labyrinth:PluginStorage" section.</summary>
internal sealed class PluginStorageOptions
{
    public const string Section = "Labyrinth:PluginStorage";

    /// <summary>Bytes one plugin may keep in one scope: each person's user scope, and the workspace.</summary>
    public long QuotaBytes { get; set; } = StorageRules.DefaultQuotaBytes;
}

/// <summary>
/// Per-plugin key/value storage (docs/api.md "Plugin storage"). Every row is keyed by plugin,
/// scope and owner taken from the <see cref="StoragePrincipal"/>, so a plugin reaches only its own
/// keys and a person only their own user scope; writes check the quota and the optimistic
/// version in one transaction.
/// </summary>
internal sealed class PluginStorageService(LabyrinthDb db, IOptions<PluginStorageOptions> options, TimeProvider clock)
{
    public long QuotaBytes => Math.Max(0, options.Value.QuotaBytes);

    public async Task<Outcome<StorageItemDto?>> GetAsync(StoragePrincipal who, string scope, string key, CancellationToken ct)
    {
        if (Check(who, scope, key, write: false) is { } refusal)
        {
            return refusal;
        }

        var owner = Owner(who, scope);
        var row = await db.PluginStorage.AsNoTracking()
            .SingleOrDefaultAsync(i => i.PluginId == who.PluginId && i.Scope == scope && i.OwnerId == owner && i.Key == key, ct);
        return row is null ? new Outcome<StorageItemDto?>(null, null) : new StorageItemDto(row.Key, JsonNode.Parse(row.ValueJson), row.Version, Utc(row.UpdatedAt));
    }

    public async Task<Outcome<StorageListDto>> ListAsync(StoragePrincipal who, string scope, string prefix, CancellationToken ct)
    {
        if (Check(who, scope, null, write: false) is { } refusal)
        {
            return refusal;
        }

        if (prefix.Length > 0 && StorageRules.CheckKey(prefix, "A prefix") is { } bad)
        {
            return Refusal.Invalid(ErrorCodes.StorageInvalid, bad);
        }

        var owner = Owner(who, scope);
        var rows = await db.PluginStorage.AsNoTracking()
            .Where(i => i.PluginId == who.PluginId && i.Scope == scope && i.OwnerId == owner && i.Key.StartsWith(prefix))
            .OrderBy(i => i.Key)
            .Take(StorageRules.MaxListEntries + 1)
            .Select(i => new { i.Key, i.Version, i.Bytes, i.UpdatedAt })
            .ToListAsync(ct);
        // StartsWith may be translated case-insensitively by a provider: keep the ordinal meaning.
        var entries = rows.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Take(StorageRules.MaxListEntries)
            .Select(r => new StorageEntryDto(r.Key, r.Version, r.Bytes, Utc(r.UpdatedAt)))
            .ToArray();
        return new StorageListDto(entries, rows.Count > StorageRules.MaxListEntries);
    }

    public async Task<Outcome<StorageWriteDto>> SetAsync(StoragePrincipal who, string scope, string key, JsonElement? value, long? ifVersion, CancellationToken ct)
    {
        if (Check(who, scope, key, write: true) is { } refusal)
        {
            return refusal;
        }

        if (ifVersion is < 0)
        {
            return Refusal.Invalid(ErrorCodes.StorageInvalid, "ifVersion is a whole number ≥ 0 (0: the key must not exist yet).");
        }

        // Stored compact, so what counts against the quota is the value, not the sender's whitespace.
        var json = value is { } v ? JsonNode.Parse(v.GetRawText())?.ToJsonString() ?? "null" : "null";
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > StorageRules.MaxValueBytes)
        {
            return Refusal.Invalid(ErrorCodes.StorageTooLarge, $"The value is {bytes} bytes of JSON; a stored value is at most {StorageRules.MaxValueBytes} bytes.");
        }

        var owner = Owner(who, scope);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Writers of one quota take turns from here to the commit: on PostgreSQL two writes of
        // different keys would otherwise each see the usage without the other and both fit.
        await TransactionLocks.TakeAsync(db, TransactionLock.PluginStorageQuota, $"{who.PluginId}\n{scope}\n{owner:N}", ct);
        var row = await db.PluginStorage.SingleOrDefaultAsync(i => i.PluginId == who.PluginId && i.Scope == scope && i.OwnerId == owner && i.Key == key, ct);
        if (ifVersion is { } expected && (row?.Version ?? 0) != expected)
        {
            return Conflict(key, expected, row?.Version ?? 0);
        }

        var charge = StorageRules.Charge(key, bytes);
        var used = await UsedAsync(who.PluginId, scope, owner, ct);
        var after = used - (row?.Bytes ?? 0) + charge;
        if (after > QuotaBytes && charge > (row?.Bytes ?? 0))
        {
            return Refusal.Invalid(ErrorCodes.StorageQuotaExceeded,
                $"This would use {after} bytes of the plugin's {scope} storage; the limit is {QuotaBytes} bytes. Delete something first.",
                new Dictionary<string, object?> { ["usedBytes"] = used, ["quotaBytes"] = QuotaBytes });
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (row is null)
        {
            row = new PluginStorageItemEntity { PluginId = who.PluginId, Scope = scope, OwnerId = owner, Key = key, ValueJson = json };
            db.PluginStorage.Add(row);
        }

        row.ValueJson = json;
        row.Bytes = charge;
        row.Version++;
        row.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (!StorageErrors.IsFull(ex))
        {
            // Another request wrote the same key between our read and our write (a provider without
            // a single writer): the version it saw is gone, which is exactly a version conflict.
            return Conflict(key, ifVersion ?? row.Version - 1, null);
        }

        return new StorageWriteDto(key, row.Version, Utc(now));
    }

    public async Task<Outcome<StorageDeleteDto>> DeleteAsync(StoragePrincipal who, string scope, string key, long? ifVersion, CancellationToken ct)
    {
        if (Check(who, scope, key, write: true) is { } refusal)
        {
            return refusal;
        }

        var owner = Owner(who, scope);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.PluginStorage.SingleOrDefaultAsync(i => i.PluginId == who.PluginId && i.Scope == scope && i.OwnerId == owner && i.Key == key, ct);
        if (ifVersion is { } expected && (row?.Version ?? 0) != expected)
        {
            return Conflict(key, expected, row?.Version ?? 0);
        }

        if (row is null)
        {
            return new StorageDeleteDto(false);
        }

        db.PluginStorage.Remove(row);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Conflict(key, ifVersion ?? row.Version, null);
        }

        return new StorageDeleteDto(true);
    }

    /// <summary>What each plugin keeps, for the admin page: per scope, bytes and keys (user scope summed over people).</summary>
    public async Task<StorageUsageDto> UsageAsync(string pluginId, CancellationToken ct)
    {
        var rows = await db.PluginStorage.AsNoTracking().Where(i => i.PluginId == pluginId)
            .GroupBy(i => i.Scope)
            .Select(g => new { Scope = g.Key, Bytes = g.Sum(i => i.Bytes), Keys = g.Count(), Owners = g.Select(i => i.OwnerId).Distinct().Count() })
            .ToListAsync(ct);
        var user = rows.FirstOrDefault(r => r.Scope == StorageRules.UserScope);
        var workspace = rows.FirstOrDefault(r => r.Scope == StorageRules.WorkspaceScope);
        return new StorageUsageDto(pluginId, user?.Bytes ?? 0, user?.Keys ?? 0, user?.Owners ?? 0, workspace?.Bytes ?? 0, workspace?.Keys ?? 0, QuotaBytes);
    }

    private Task<long> UsedAsync(string pluginId, string scope, Guid owner, CancellationToken ct) =>
        db.PluginStorage.Where(i => i.PluginId == pluginId && i.Scope == scope && i.OwnerId == owner).SumAsync(i => i.Bytes, ct);

    private static Refusal? Check(StoragePrincipal who, string scope, string? key, bool write)
    {
        if (!StorageRules.IsScope(scope))
        {
            return Refusal.Invalid(ErrorCodes.StorageInvalid, $"The scope is \"{StorageRules.UserScope}\" or \"{StorageRules.WorkspaceScope}\".");
        }

        if (key is not null && StorageRules.CheckKey(key) is { } bad)
        {
            return Refusal.Invalid(ErrorCodes.StorageInvalid, bad);
        }

        if (!(write ? who.CanWrite : who.CanRead))
        {
            return NotGranted(write ? StorageRules.WriteCapability : StorageRules.ReadCapability);
        }

        if (write && scope == StorageRules.WorkspaceScope && !who.CanWriteWorkspace)
        {
            return NotGranted(StorageRules.WorkspaceWriteCapability, "an admin grants it on the plugin's page");
        }

        return null;
    }

    /// <summary>A 403: see <see cref="PluginStorageApi"/>, which maps this code to its status.</summary>
    private static Refusal NotGranted(string capability, string? how = null) =>
        new(RefusalKind.Invalid, ErrorCodes.StorageNotGranted, $"This needs the \"{capability}\" capability{(how is null ? "" : $" ({how})")}.");

    private static Refusal Conflict(string key, long expected, long? actual) =>
        Refusal.Conflict(ErrorCodes.StorageVersionConflict,
            actual is { } a
                ? $"\"{key}\" is at version {a}, not {expected}: it changed since it was read. Read it again and retry."
                : $"\"{key}\" changed while it was being written. Read it again and retry.",
            actual is { } v ? new Dictionary<string, object?> { ["version"] = v } : null);

    private static Guid Owner(StoragePrincipal who, string scope) => scope == StorageRules.UserScope ? who.UserId : Guid.Empty;

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc), TimeSpan.Zero);
}

internal sealed record StorageItemDto(string Key, JsonNode? Value, long Version, DateTimeOffset UpdatedAt);

internal sealed record StorageEntryDto(string Key, long Version, long Bytes, DateTimeOffset UpdatedAt);

internal sealed record StorageListDto(StorageEntryDto[] Entries, bool Truncated);

internal sealed record StorageWriteDto(string Key, long Version, DateTimeOffset UpdatedAt);

internal sealed record StorageDeleteDto(bool Deleted);

internal sealed record StorageUsageDto(string PluginId, long UserBytes, int UserKeys, int People, long WorkspaceBytes, int WorkspaceKeys, long QuotaBytes);

/// <summary>The body of <c>POST …/storage</c>: one operation, as the bridge's <c>storage</c> message carries it.</summary>
internal sealed record StorageOperation(string? Op, string? Scope, string? Key, JsonElement? Value, long? IfVersion, string? Prefix);
