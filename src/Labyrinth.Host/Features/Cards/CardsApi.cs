using System.Globalization;
using Labyrinth.Core.Assets;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

internal sealed record AssetGrantRequest(Guid? AssetId);

internal sealed record AssetTokenRequest(string? Token);

internal sealed record AssetGrantedDto(string Token, AssetGrantDto Grant);

/// <summary>
/// The per-card API (docs/api.md "Grants and the permissions panel"): every route hangs from the
/// card group (<see cref="CardRoutes"/>), whose filter resolves the card first, so another user's
/// board or window is a 404 and nothing runs.
/// </summary>
internal static partial class CardsApi
{
    public static readonly IReadOnlyList<string> ViolationReasons = ["not_object", "unknown_type", "bad_shape", "oversize", "flood", "parent_message", "focus_steal", "navigated"];

    public static IServiceCollection AddCards(this IServiceCollection services)
    {
        services.AddScoped<CardAccess>();
        services.AddSingleton<CardWindowCache>();
        services.AddScoped<CardGrants>();
        services.AddSingleton<CardGrantSignals>();
        services.AddCardState();
        services.AddBridgeLimits();
        return services;
    }

    public static IEndpointRouteBuilder MapCards(this IEndpointRouteBuilder app)
    {
        var card = app.MapCardGroup();
        // A card whose plugin is not available to the person still shows and gives up what it holds.
        card.MapGet("/permissions", Permissions).EvenWhenUnavailable();
        card.MapPost("/grants", Grant);
        card.MapDelete("/grants/{capability}", Revoke).EvenWhenUnavailable();
        card.MapDelete("/grants", RevokeAll).EvenWhenUnavailable();
        card.MapPost("/assets", GrantAsset);
        card.MapPost("/assets/read", ReadAsset);
        card.MapDelete("/assets/{grantId:guid}", RevokeAsset).EvenWhenUnavailable();
        card.MapPost("/violations", Violations);
        card.MapPost("/upgrade", Upgrade);
        card.MapCardState();
        card.MapCardSnapshots();
        card.MapCardSelections();
        app.MapCardGroup(CardRoutes.BoardWindowAlias).MapCardState().MapCardSnapshots();
        app.MapBridgeLimits();
        return app;
    }

    private static async Task<Results<Ok<CardPermissionsDto>, ProblemHttpResult>> Permissions(
        HttpContext http, CardAccess access, LabyrinthDb db, ICardNetworkStatus network, PluginCatalog catalog, PluginAccess pluginAccess,
        CancellationToken ct)
    {
        var card = http.Card();

        var grants = (await access.GrantsAsync(card, ct)).ToDictionary(g => g.Capability, StringComparer.Ordinal);
        var capabilities = card.RequestedCapabilities
            .Select(c => grants.TryGetValue(c, out var g)
                ? new CapabilityDto(c, true, g.GrantedAt, g.Handle)
                : new CapabilityDto(c, false, null, null))
            .ToArray();
        // The card keeps running on its own version and grants; what a newer active version would
        // add waits for the user (POST …/upgrade). Top-level wantsMore mirrors it for older clients.
        var upgrade = card.Unavailable ? null : FindUpgrade(catalog, pluginAccess, card)?.Dto;
        var assets = await AssetGrantsAsync(db, card, ct);
        var networkStatus = await network.GetAsync(card, ct);
        var selection = await CardSelectionsApi.FindAsync(db, card, ct);
        return TypedResults.Ok(new CardPermissionsDto(card.BoardId, card.WindowId, card.PluginId, card.Version, card.TypeID, card.CardName,
            capabilities, upgrade?.WantsMore ?? [], assets, networkStatus, upgrade, selection));
    }

    private static async Task<Results<Ok<CapabilityDto>, ProblemHttpResult>> Grant(
        GrantRequest request, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        LabyrinthMetrics metrics, CancellationToken ct)
    {
        var card = http.Card();

        if (request.Capability is not { } capability || !card.Requests(capability))
        {
            return NotRequested(card, request.Capability);
        }

        CardGrantEntity grant;
        try
        {
            grant = await grants.GrantAsync(card, capability, http.Actor(), ct);
        }
        catch (DbUpdateException ex) when (!StorageErrors.IsFull(ex))
        {
            // A second click raced the first to insert the same grant: the first one stands.
            grant = await access.GetGrantAsync(card, capability, ct) ?? throw new InvalidOperationException("The grant vanished while being created.");
        }

        metrics.CardGrantChanged("grant");
        return TypedResults.Ok(new CapabilityDto(capability, true, grant.GrantedAt, grant.Handle));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string capability, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        LabyrinthMetrics metrics, CancellationToken ct)
    {
        var card = http.Card();

        await grants.RevokeAsync(card, capability, http.Actor(), ct);
        metrics.CardGrantChanged("revoke");
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAll(
        HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db, LabyrinthMetrics metrics, CancellationToken ct)
    {
        var card = http.Card();

        await grants.RevokeAllAsync(card, http.Actor(), ct);
        metrics.CardGrantChanged("revoke_all");
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AssetGrantedDto>, ProblemHttpResult>> GrantAsset(
        AssetGrantRequest request, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        LabyrinthMetrics metrics, CancellationToken ct)
    {
        var card = http.Card();

        var asset = request.AssetId is { } assetId
            ? await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == assetId && a.OwnerId == card.UserId, ct)
            : null;
        if (asset is null)
        {
            return AssetsApi.NotFound();
        }

        var capability = CardCapabilities.FileRegistry(asset.Type);
        if (!card.Requests(capability))
        {
            return NotRequested(card, capability);
        }

        var issued = await grants.GrantAssetAsync(card, asset, http.Actor(), ct);
        metrics.CardGrantChanged("asset_grant");
        return TypedResults.Ok(new AssetGrantedDto(issued.Token, ToDto(issued.Grant, asset)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsset(
        Guid grantId, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        LabyrinthMetrics metrics, CancellationToken ct)
    {
        var card = http.Card();

        if (await grants.RevokeAssetAsync(card, grantId, http.Actor(), ct))
        {
            metrics.CardGrantChanged("asset_revoke");
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// A card reads a granted asset's bytes. Unknown, revoked, another card's or another user's
    /// token: one identical 404, so probing tokens teaches nothing.
    /// </summary>
    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> ReadAsset(
        AssetTokenRequest request, HttpContext http, CardAccess access, CardGrants grants, LabyrinthDb db,
        AssetStore store, CancellationToken ct)
    {
        var card = http.Card();

        if (card.Stopped)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CardPluginStopped, "This card's plugin is disabled or stopped by an admin, so it cannot read assets.");
        }

        var asset = await grants.ResolveAssetTokenAsync(card, request.Token, ct);
        var path = asset is null ? null : await store.LocalPathAsync(asset.Sha256, ct);
        if (asset is null || path is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.AssetTokenInvalid, "That asset token is not valid for this card (unknown or revoked).");
        }

        AssetsApi.SetAssetHeaders(http.Response, "no-store");
        http.Response.Headers["X-Asset-Media-Type"] = asset.MediaType;
        http.Response.Headers["X-Asset-Name"] = Uri.EscapeDataString(asset.Name);
        return TypedResults.PhysicalFile(path!, "application/octet-stream");
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Violations(
        ViolationReport report, HttpContext http, CardAccess access, LabyrinthDb db, AuditLog audit,
        LabyrinthMetrics metrics, Cluster.IRateLimits limits, RolloutRecorder rollouts, CancellationToken ct)
    {
        var card = http.Card();

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (report.Reason is not { } reason || !ViolationReasons.Contains(reason, StringComparer.Ordinal))
        {
            errors["reason"] = [$"The reason must be one of: {string.Join(", ", ViolationReasons)}."];
        }

        if (report.Count is not (>= 1 and <= 100_000))
        {
            errors["count"] = ["The count must be between 1 and 100000."];
        }

        if (report.Detail is { Length: > 500 })
        {
            errors["detail"] = ["The detail has at most 500 characters."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The violation report is not valid.", errors);
        }

        var suspended = report.Suspended ?? false;
        await rollouts.RecordAsync(card.UserId, card.PluginId, card.Version, CardOutcome.BridgeViolation, ct);
        metrics.BridgeViolations(card.PluginId, report.Reason!, report.Count!.Value, suspended);
        // The free-text detail stays out of the audit row: it may carry text a card chose.
        var detail = CardGrants.Detail(card, new { reason = report.Reason, count = report.Count });
        if (suspended)
        {
            await audit.AppendAsync(http.Actor(), CardAuditActions.Suspended, card.PluginId, detail, ct);
        }
        else if (await limits.TryClaimAsync($"violation:{card.BoardId:N}:{card.WindowId}", ViolationAuditWindow, ct))
        {
            await audit.AppendAsync(http.Actor(), CardAuditActions.Violation, card.PluginId, detail, ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>At most one <c>card.violation</c> audit row per card per 10 s, across every instance; the metric counts every report.</summary>
    internal static readonly TimeSpan ViolationAuditWindow = TimeSpan.FromSeconds(10);

    private static async Task<AssetGrantDto[]> AssetGrantsAsync(LabyrinthDb db, CardInstance card, CancellationToken ct)
    {
        var rows = await (from g in db.AssetGrants.AsNoTracking()
                          join a in db.Assets.AsNoTracking() on g.AssetId equals a.Id
                          where g.BoardId == card.BoardId && g.WindowId == card.WindowId && g.UserId == card.UserId
                          select new { Grant = g, Asset = a }).ToListAsync(ct);
        return rows.OrderBy(r => r.Grant.GrantedAt).Select(r => ToDto(r.Grant, r.Asset)).ToArray();
    }

    private static AssetGrantDto ToDto(AssetGrantEntity grant, AssetEntity asset) =>
        new(grant.Id, asset.Id, asset.Name, asset.Type, asset.MediaType, asset.Bytes, grant.GrantedAt, AssetMapping.ContentUrl(asset.Id));

    private static ProblemHttpResult NotRequested(CardInstance card, string? capability) =>
        Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.GrantNotRequested,
            capability is null
                ? "Name the capability to grant."
                : $"The {card.CardName} card does not ask for \"{(capability.Length > 100 ? capability[..100] + "…" : capability)}\", so it cannot be granted.");
}
