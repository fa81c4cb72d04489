using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Assets;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

/// <summary>A newly granted asset: the token exists only in this value (the database keeps its SHA-256).</summary>
internal sealed record IssuedAssetToken(string Token, AssetGrantEntity Grant, AssetEntity Asset);

/// <summary>
/// Writes grants: capability grants, asset grants, their revocation and the cascade when cards or
/// boards go. Every change is audited (never with a token) and signals <see cref="CardGrantSignals"/>
/// after it is committed, so running work stops only for a revoke that really happened.
/// </summary>
internal sealed class CardGrants(LabyrinthDb db, AuditLog audit, CardGrantSignals signals, TimeProvider clock)
{
    public const string AssetTokenPrefix = "lab_ast_";

    /// <summary>Grants <paramref name="capability"/> (idempotent: an existing grant is returned unchanged, not re-audited).</summary>
    public async Task<CardGrantEntity> GrantAsync(CardInstance card, string capability, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var existing = await db.CardGrants.SingleOrDefaultAsync(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId && g.Capability == capability, ct);
        if (existing is not null)
        {
            return existing;
        }

        var grant = new CardGrantEntity
        {
            BoardId = card.BoardId,
            WindowId = card.WindowId,
            Capability = capability,
            UserId = card.UserId,
            Handle = capability.StartsWith(CardCapabilities.NetworkPrefix, StringComparison.Ordinal)
                ? CardAccess.NewNetworkHandle(capability[CardCapabilities.NetworkPrefix.Length..], card.WindowId)
                : null,
            GrantedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.CardGrants.Add(grant);
        await audit.AppendAsync(actor, CardAuditActions.Grant, card.PluginId, Detail(card, new { capability }), ct);
        return grant;
    }

    /// <summary>Revokes one capability; a <c>fileRegistry:&lt;type&gt;</c> revoke also revokes the card's assets of that type.</summary>
    public async Task RevokeAsync(CardInstance card, string capability, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var grant = await db.CardGrants.SingleOrDefaultAsync(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId && g.Capability == capability, ct);
        var assetGrants = new List<AssetGrantEntity>();
        if (capability.StartsWith(CardCapabilities.FileRegistryPrefix, StringComparison.Ordinal))
        {
            var type = capability[CardCapabilities.FileRegistryPrefix.Length..];
            assetGrants = await (from g in db.AssetGrants
                                 join a in db.Assets on g.AssetId equals a.Id
                                 where g.BoardId == card.BoardId && g.WindowId == card.WindowId && a.Type == type
                                 select g).ToListAsync(ct);
        }

        if (grant is null && assetGrants.Count == 0)
        {
            signals.Revoke(card.BoardId, card.WindowId, capability);
            return;
        }

        if (grant is not null)
        {
            db.CardGrants.Remove(grant);
        }

        db.AssetGrants.RemoveRange(assetGrants);
        await audit.AppendAsync(actor, CardAuditActions.Revoke, card.PluginId,
            Detail(card, new { capability, assetGrantsRevoked = assetGrants.Count }), ct);
        signals.Revoke(card.BoardId, card.WindowId, capability);
    }

    /// <summary>"Revoke all": every capability and asset grant of the card.</summary>
    public async Task RevokeAllAsync(CardInstance card, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var grants = await db.CardGrants.Where(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId).ToListAsync(ct);
        var assetGrants = await db.AssetGrants.Where(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId).ToListAsync(ct);
        db.CardGrants.RemoveRange(grants);
        db.AssetGrants.RemoveRange(assetGrants);
        var selectionRevoked = await CardSelectionsApi.RemoveAsync(db, card, ct);

        await audit.AppendAsync(actor, CardAuditActions.RevokeAll, card.PluginId,
            Detail(card, new
            {
                capabilities = grants.Select(g => g.Capability).Order(StringComparer.Ordinal).ToArray(),
                assetGrantsRevoked = assetGrants.Count,
                selectionRevoked,
            }), ct);
        signals.RevokeCard(card.BoardId, card.WindowId);
    }

    /// <summary>
    /// Gives the card one of its owner's assets. The caller has checked the manifest requests
    /// <c>fileRegistry:&lt;asset type&gt;</c>; picking the asset is the consent, so the capability is granted too.
    /// </summary>
    public async Task<IssuedAssetToken> GrantAssetAsync(CardInstance card, AssetEntity asset, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(asset);
        await GrantAsync(card, CardCapabilities.FileRegistry(asset.Type), actor, ct);
        var token = AssetTokenPrefix + Ids.NewToken();
        var grant = new AssetGrantEntity
        {
            Id = Guid.NewGuid(),
            TokenHash = Ids.Sha256Hex(token),
            AssetId = asset.Id,
            BoardId = card.BoardId,
            WindowId = card.WindowId,
            UserId = card.UserId,
            GrantedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.AssetGrants.Add(grant);
        await audit.AppendAsync(actor, CardAuditActions.AssetGrant, card.PluginId,
            Detail(card, new { grantId = grant.Id, assetId = asset.Id, assetType = asset.Type }), ct);
        return new IssuedAssetToken(token, grant, asset);
    }

    /// <summary>Revokes one asset grant of this card; false when the card has no such grant.</summary>
    public async Task<bool> RevokeAssetAsync(CardInstance card, Guid grantId, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var grant = await db.AssetGrants.SingleOrDefaultAsync(g => g.Id == grantId && g.BoardId == card.BoardId && g.WindowId == card.WindowId, ct);
        if (grant is null)
        {
            return false;
        }

        db.AssetGrants.Remove(grant);
        await audit.AppendAsync(actor, CardAuditActions.AssetRevoke, card.PluginId,
            Detail(card, new { grantId, assetId = grant.AssetId }), ct);
        return true;
    }

    /// <summary>The asset behind <paramref name="token"/> when it was granted to exactly this card and is still valid; else null.</summary>
    public async Task<AssetEntity?> ResolveAssetTokenAsync(CardInstance card, string? token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (token is null || token.Length > 128 || !token.StartsWith(AssetTokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = Ids.Sha256Hex(token);
        var asset = await (from g in db.AssetGrants.AsNoTracking()
                           join a in db.Assets.AsNoTracking() on g.AssetId equals a.Id
                           where g.TokenHash == hash && g.BoardId == card.BoardId && g.WindowId == card.WindowId &&
                                 g.UserId == card.UserId && a.OwnerId == card.UserId
                           select a).SingleOrDefaultAsync(ct);
        if (asset is null || !AssetSniffer.IsKnownType(asset.Type))
        {
            return null;
        }

        // Defence in depth: the capability itself must still be requested and granted.
        var capability = CardCapabilities.FileRegistry(asset.Type);
        var granted = card.Requests(capability) && await db.CardGrants.AsNoTracking()
            .AnyAsync(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId && g.Capability == capability, ct);
        return granted ? asset : null;
    }

    /// <summary>Deletes everything stored for cards that left a board (payload, snapshot, grants, asset grants, shared selection); the caller saves.</summary>
    public async Task DeleteCardsAsync(Guid boardId, IReadOnlyCollection<string> windowIds, CancellationToken ct)
    {
        if (windowIds.Count == 0)
        {
            return;
        }

        await db.CardPayloads.Where(p => p.BoardId == boardId && windowIds.Contains(p.WindowId)).ExecuteDeleteAsync(ct);
        await db.CardSnapshots.Where(s => s.BoardId == boardId && windowIds.Contains(s.WindowId)).ExecuteDeleteAsync(ct);
        await db.CardGrants.Where(g => g.BoardId == boardId && windowIds.Contains(g.WindowId)).ExecuteDeleteAsync(ct);
        await db.AssetGrants.Where(g => g.BoardId == boardId && windowIds.Contains(g.WindowId)).ExecuteDeleteAsync(ct);
        await db.SharedSelections.Where(s => s.BoardId == boardId && windowIds.Contains(s.WindowId)).ExecuteDeleteAsync(ct);
    }

    /// <summary>Deletes everything stored for every card of a board.</summary>
    public async Task DeleteBoardAsync(Guid boardId, CancellationToken ct)
    {
        await db.CardPayloads.Where(p => p.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.CardSnapshots.Where(s => s.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.CardGrants.Where(g => g.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.AssetGrants.Where(g => g.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.CardWindows.Where(w => w.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.SharedSelections.Where(s => s.BoardId == boardId).ExecuteDeleteAsync(ct);
    }

    /// <summary>Every card audit detail carries the card's identity (docs/api.md) and never a token.</summary>
    public static JsonObject Detail(CardInstance card, object? extra = null)
    {
        ArgumentNullException.ThrowIfNull(card);
        var detail = new JsonObject
        {
            ["boardId"] = card.BoardId,
            ["windowId"] = card.WindowId,
            ["pluginId"] = card.PluginId,
            ["typeID"] = card.TypeID,
        };
        if (extra is not null && JsonSerializer.SerializeToNode(extra, JsonSerializerOptions.Web) is JsonObject more)
        {
            foreach (var key in more.Select(p => p.Key).ToList())
            {
                var value = more[key];
                more.Remove(key);
                detail[key] = value;
            }
        }

        return detail;
    }
}
