using System.Globalization;
using System.Text.Json;
using Labyrinth.Core.Boards;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Boards;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

/// <summary>A newer active version the card could move to, with its manifest entry for the card's type.</summary>
internal sealed record CardUpgradeTarget(CardUpgradeDto Dto, CardDefinition Card);

/// <summary>
/// Moving a card to its plugin's newer active version (docs/api.md "Grants and the permissions panel").
/// Cards stay pinned to the version they were spawned with; only the user moves them, so a plugin
/// update never silently widens what a running card may do.
/// </summary>
internal static partial class CardsApi
{
    // A concurrent board write (layout save, spawn) between our read and write is retried on fresh
    // data rather than overwritten; after this many collisions the caller is told to try again.
    private const int UpgradeAttempts = 3;

    /// <summary>
    /// The upgrade on offer: the version assigned to the card's person (the active version, or during
    /// a staged rollout the one their cohort gets) when it is usable, newer (SemVer precedence) than
    /// the card's (or, in a development loop, any other version while the assigned one is a
    /// development install: 1.0.0-dev.7 after 1.0.0 is what the author just saved) and still has
    /// the card's type; else null. Either way the move grants nothing new without consent.
    /// </summary>
    public static CardUpgradeTarget? FindUpgrade(PluginCatalog catalog, PluginAccess access, CardInstance card)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(card);
        var plugin = catalog.Find(card.PluginId);
        var assigned = plugin is null ? null : access.AssignedVersion(card.UserId, plugin);
        if (plugin is not { IsUsable: true } || assigned is null || plugin.IsKilled(assigned) ||
            VersionRules.TryParse(assigned) is not { } target ||
            VersionRules.TryParse(card.Version) is not { } current ||
            !(VersionRules.IsUpgrade(target, current) || (DevInstallPolicy.IsDevVersion(assigned) && assigned != card.Version)) ||
            plugin.Versions.GetValueOrDefault(assigned)?.FindCard(card.TypeID) is not { } next)
        {
            return null;
        }

        var wantsMore = next.Capabilities.Where(c => !card.Requests(c)).Distinct(StringComparer.Ordinal).ToArray();
        return new CardUpgradeTarget(new CardUpgradeDto(assigned, wantsMore), next);
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult>> Upgrade(
        Guid boardId, string windowId, UpgradeRequest request, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        PluginCatalog catalog, PluginAccess pluginAccess, AuditLog audit, CardGrantSignals signals, LabyrinthMetrics metrics, TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (card, missing) = await ResolveAsync(http, access, db, boardId, windowId, ct);
            if (card is null)
            {
                return missing!;
            }

            if (string.Equals(request.Version, card.Version, StringComparison.Ordinal))
            {
                // The card followed its person's version down (a rollback, or a development build
                // that sorts below the release) while the board still names the old one: the move
                // the caller asks for has happened; store it and hand back the board showing it.
                var current = await db.Boards.SingleAsync(b => b.Id == boardId && b.OwnerId == card.UserId, ct);
                var currentDoc = BoardDocument.Read(current);
                if (currentDoc.Windows.Find(w => w.Id == windowId)?.Plugin is { } stored && stored.Version != card.Version &&
                    await BoardsApi.FollowAssignmentsAsync(db, catalog, pluginAccess, clock, current, currentDoc, ct) is { } followed)
                {
                    return TypedResults.Ok(BoardMapping.ToDto(current, followed));
                }

                db.ChangeTracker.Clear();
            }

            var target = FindUpgrade(catalog, pluginAccess, card);
            if (target is null || !string.Equals(request.Version, target.Dto.Version, StringComparison.Ordinal))
            {
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.CardUpgradeUnavailable, target is null
                    ? $"The {card.CardName} card is already on the newest usable version ({card.Version}), so there is nothing to update to."
                    : $"Version {Clip(request.Version ?? "(none)")} is not the version on offer; the plugin's active version is {target.Dto.Version}. Reload the permissions and try again.");
            }

            // Tracked, so SaveChanges checks the board's Version concurrency token.
            var board = await db.Boards.SingleAsync(b => b.Id == boardId && b.OwnerId == card.UserId, ct);
            var doc = BoardDocument.Read(board);
            var index = doc.Windows.FindIndex(w => w.Id == windowId && w.Kind == WindowRules.Plugin);
            if (index < 0 || doc.Windows[index].Plugin is not { } plugin || plugin.Version != card.Version)
            {
                // The board moved between the two reads; start over on what is there now.
                db.ChangeTracker.Clear();
                if (attempt < UpgradeAttempts)
                {
                    continue;
                }

                return KeptChanging();
            }

            var props = plugin.Props.ValueKind == JsonValueKind.Undefined ? JsonSerializer.SerializeToElement(new { }) : plugin.Props;
            var propErrors = target.Card.PropsSchema is { } schema ? PropsValidator.Validate(schema, props) : [];
            if (propErrors.Count > 0)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SpawnInvalidProps,
                    $"This card's settings do not fit version {target.Dto.Version} of \"{card.PluginId}\": {string.Join(" ", propErrors.Select(e => e.Message))}");
            }

            doc.Windows[index] = doc.Windows[index] with { Plugin = plugin with { Version = target.Dto.Version } };
            board.DocumentJson = doc.Write();
            board.Version++;
            board.UpdatedAt = clock.GetUtcNow().UtcDateTime;

            // Grants the new version no longer requests go with the old version, and so do asset
            // grants whose fileRegistry type it dropped (their tokens must stop working).
            var keep = target.Card.Capabilities.ToHashSet(StringComparer.Ordinal);
            var droppedGrants = (await db.CardGrants.Where(g => g.BoardId == boardId && g.WindowId == windowId).ToListAsync(ct))
                .Where(g => !keep.Contains(g.Capability)).ToList();
            var droppedAssets = (await (from g in db.AssetGrants
                                        join a in db.Assets on g.AssetId equals a.Id
                                        where g.BoardId == boardId && g.WindowId == windowId
                                        select new { Grant = g, a.Type }).ToListAsync(ct))
                .Where(r => !keep.Contains(CardCapabilities.FileRegistry(r.Type))).ToList();
            db.CardGrants.RemoveRange(droppedGrants);
            db.AssetGrants.RemoveRange(droppedAssets.Select(r => r.Grant));
            var dropped = droppedGrants.Select(g => g.Capability)
                .Union(droppedAssets.Select(r => CardCapabilities.FileRegistry(r.Type)), StringComparer.Ordinal)
                .Order(StringComparer.Ordinal).ToArray();
            string[] granted = request.Allow == true ? target.Dto.WantsMore : [];

            try
            {
                // One SaveChanges: the board, the dropped grants and the audit row commit together.
                await audit.AppendAsync(Actor(http), CardAuditActions.Upgrade, card.PluginId, CardGrants.Detail(card, new
                {
                    from = card.Version,
                    to = target.Dto.Version,
                    granted,
                    dropped,
                    assetGrantsDropped = droppedAssets.Count,
                }), ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                if (attempt < UpgradeAttempts)
                {
                    continue;
                }

                return KeptChanging();
            }

            foreach (var capability in dropped)
            {
                signals.Revoke(boardId, windowId, capability);
            }

            if (dropped.Length > 0)
            {
                metrics.CardGrantChanged("revoke");
            }

            var upgraded = card with
            {
                Version = target.Dto.Version,
                CardName = target.Card.Name,
                RequestedCapabilities = target.Card.Capabilities,
                Topics = target.Card.Topics,
                Stopped = false,
            };
            foreach (var capability in granted)
            {
                try
                {
                    // The same path as POST …/grants: network grants get their handle there.
                    await grants.GrantAsync(upgraded, capability, Actor(http), ct);
                    metrics.CardGrantChanged("grant");
                }
                catch (DbUpdateException ex) when (!StorageErrors.IsFull(ex))
                {
                    // A concurrent grant of the same capability won; it stands, and this context
                    // must forget the failed insert before the next grant saves.
                    db.ChangeTracker.Clear();
                }
            }

            http.Response.Headers.ETag = "\"" + board.Version.ToString(CultureInfo.InvariantCulture) + "\"";
            return TypedResults.Ok(BoardMapping.ToDto(board, doc));
        }
    }

    private static ProblemHttpResult KeptChanging() =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.BoardVersionConflict,
            "This board kept changing while the card was being updated; try again.");

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
