using System.Globalization;
using Labyrinth.Core.Assets;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Assets;

internal sealed record AssetDto(Guid Id, string Name, string Type, string MediaType, long Bytes, DateTime CreatedAt, string PreviewUrl);

internal static class AssetMapping
{
    public static string ContentUrl(Guid id) => $"/api/assets/{id}/content";

    public static AssetDto ToDto(AssetEntity a) => new(a.Id, a.Name, a.Type, a.MediaType, a.Bytes, a.CreatedAt, ContentUrl(a.Id));
}

/// <summary>
/// The File Registry (CSC §8): a user's own uploads. Cards never reach these endpoints' data except
/// through a grant (Features/Cards); only the owner lists, previews and deletes.
/// </summary>
internal static partial class AssetsApi
{
    /// <summary>The sandbox CSP every served asset carries: even opened as a page, nothing in it runs with the host's origin.</summary>
    public const string SandboxCsp = "default-src 'none'; sandbox";

    public static IServiceCollection AddAssets(this IServiceCollection services)
    {
        services.AddOptions<AssetOptions>().BindConfiguration("Labyrinth")
            .Validate(o => o.MaxAssetBytes is > 0 and <= 1024L * 1024 * 1024, "Labyrinth:MaxAssetBytes must be between 1 byte and 1 GiB.")
            .ValidateOnStart();
        services.AddSingleton<AssetStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapAssets(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/api/assets").RequireAuthorization().WithTags("Assets");
        assets.MapGet("/", List);
        assets.MapPost("/", Upload);
        assets.MapGet("/{id:guid}/content", Content);
        assets.MapDelete("/{id:guid}", Delete);
        return app;
    }

    private static async Task<Results<Ok<AssetDto[]>, ProblemHttpResult>> List(string? type, HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        if (type is not null && !AssetSniffer.IsKnownType(type))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "The type must be one of: image, pdf, 3d-model, text.");
        }

        var owner = http.User.UserId();
        var query = db.Assets.AsNoTracking().Where(a => a.OwnerId == owner);
        if (type is not null)
        {
            query = query.Where(a => a.Type == type);
        }

        var rows = await query.ToListAsync(ct);
        return TypedResults.Ok(rows.OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id).Select(AssetMapping.ToDto).ToArray());
    }

    /// <summary>
    /// Raw bytes (application/octet-stream) with the file name in the query. The body is counted as it
    /// streams to disk and refused past the cap, so a huge or endless body never fills memory.
    /// </summary>
    private static async Task<Results<Created<AssetDto>, ProblemHttpResult>> Upload(
        string? name, HttpContext http, LabyrinthDb db, AssetStore store, BlobGuard blobGuard, AuditLog audit, LabyrinthMetrics metrics,
        IOptions<AssetOptions> options, TimeProvider clock, ILogger<AssetStore> logger, CancellationToken ct)
    {
        var max = options.Value.MaxAssetBytes;
        var safeName = AssetNames.Sanitize(name);
        if (safeName is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.AssetNameInvalid,
                $"Give the file a name (query name=) of 1 to {AssetNames.MaxLength} characters.");
        }

        var contentType = http.Request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(contentType, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "Send the file's bytes as application/octet-stream.");
        }

        if (http.Request.ContentLength > max)
        {
            metrics.AssetUploaded("too_large");
            return TooLarge(max);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = max + 1;
        }

        var (received, tempFile) = await store.ReceiveAsync(http.Request.Body, max, ct);
        if (received.TooLarge)
        {
            metrics.AssetUploaded("too_large");
            return TooLarge(max);
        }

        if (received.Kind is null || tempFile is null || received.Sha256 is null)
        {
            metrics.AssetUploaded("refused");
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.AssetTypeUnknown, received.Refusal ?? "The file type is not accepted.");
        }

        var asset = new AssetEntity
        {
            Id = Guid.NewGuid(),
            OwnerId = http.User.UserId(),
            Sha256 = received.Sha256,
            Type = received.Kind.Type,
            MediaType = received.Kind.MediaType,
            Name = safeName,
            Bytes = received.Bytes,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };

        // From the bytes landing in the store until the row naming them commits, no instance's
        // collector may decide they are unreferenced.
        await using (await blobGuard.HoldForWriteAsync(ct))
        {
            store.Commit(tempFile, received.Sha256);
            await store.ShareAsync(received.Sha256, ct);
            db.Assets.Add(asset);
            await audit.AppendAsync(http.Actor(), CardAuditActions.AssetUpload, null,
                new { assetId = asset.Id, type = asset.Type, mediaType = asset.MediaType, bytes = asset.Bytes, sha256 = asset.Sha256 }, ct);
        }

        metrics.AssetUploaded("stored");
        LogUploaded(logger, asset.Id, asset.Type, asset.Bytes);
        return TypedResults.Created(AssetMapping.ContentUrl(asset.Id), AssetMapping.ToDto(asset));
    }

    /// <summary>The owner's bytes for previews: images as themselves, everything else as a download; always nosniff + sandbox.</summary>
    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> Content(Guid id, HttpContext http, LabyrinthDb db, AssetStore store, CancellationToken ct)
    {
        var owner = http.User.UserId();
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == owner, ct);
        var path = asset is null ? null : await store.LocalPathAsync(asset.Sha256, ct);
        if (asset is null || path is null)
        {
            return NotFound();
        }

        SetAssetHeaders(http.Response, "private, no-cache");
        var isImage = asset.Type == AssetSniffer.Image;
        return TypedResults.PhysicalFile(path!, isImage ? asset.MediaType : "application/octet-stream",
            fileDownloadName: isImage ? null : asset.Name);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, HttpContext http, LabyrinthDb db, BlobCollector collector, AuditLog audit, CancellationToken ct)
    {
        var owner = http.User.UserId();
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Id == id && a.OwnerId == owner, ct);
        if (asset is null)
        {
            return NotFound();
        }

        var grants = await db.AssetGrants.Where(g => g.AssetId == id).ToListAsync(ct);
        db.AssetGrants.RemoveRange(grants);
        db.Assets.Remove(asset);
        await audit.AppendAsync(http.Actor(), CardAuditActions.AssetDelete, null,
            new { assetId = asset.Id, type = asset.Type, grantsRevoked = grants.Count }, ct);

        // The row is gone; the bytes go too unless another asset (anyone's) has the same content.
        await collector.CollectAsync([asset.Sha256], BlobCollector.ReasonAssetDeleted, CancellationToken.None);
        return TypedResults.NoContent();
    }

    /// <summary>Headers for any response carrying asset bytes.</summary>
    public static void SetAssetHeaders(HttpResponse response, string cacheControl)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = SandboxCsp;
        response.Headers.CacheControl = cacheControl;
    }

    public static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.AssetNotFound, "That file is not in your library.");

    private static ProblemHttpResult TooLarge(long max) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.AssetTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"Files are limited to {max / (1024.0 * 1024):0.#} MiB."));


    [LoggerMessage(Level = LogLevel.Information, Message = "Stored asset {AssetId} ({Type}, {Bytes} bytes)")]
    private static partial void LogUploaded(ILogger logger, Guid assetId, string type, long bytes);
}
