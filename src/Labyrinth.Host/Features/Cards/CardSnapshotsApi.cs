using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Labyrinth.Core.Assets;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

/// <summary>
/// The image a closed card shows: the last raster of its frame. Written by the host page with bytes
/// that came out of an untrusted frame, so size and magic bytes are checked and it is only ever
/// served as the image type it proved to be, with nosniff and a sandbox CSP.
/// </summary>
internal static class CardSnapshotsApi
{
    public const int MaxSnapshotBytes = 200 * 1024;

    // Base64 of MaxSnapshotBytes plus room for the JSON around it.
    private const int MaxBodyBytes = ((MaxSnapshotBytes + 2) / 3 * 4) + 1024;

    private static readonly string[] MediaTypes = ["image/png", "image/jpeg", "image/webp"];

    public static RouteGroupBuilder MapCardSnapshots(this RouteGroupBuilder card)
    {
        ArgumentNullException.ThrowIfNull(card);
        card.MapPut("/snapshot", Put);
        card.MapGet("/snapshot", Get).EvenWhenUnavailable();
        return card;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Put(
        HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        var card = http.Card();

        var body = await RequestBodies.ReadCappedAsync(http.Request, MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge();
        }

        SnapshotRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<SnapshotRequest>(body, RequestJson.Options);
        }
        catch (JsonException)
        {
            return Invalid("The body must be {\"mediaType\": \"image/png\", \"data\": \"<base64>\"}.");
        }

        if (request?.MediaType is not { } mediaType || !MediaTypes.Contains(mediaType, StringComparer.Ordinal))
        {
            return Invalid("The snapshot must be image/png, image/jpeg or image/webp.");
        }

        var bytes = new byte[MaxSnapshotBytes + 3];
        if (request.Data is null || !Convert.TryFromBase64String(request.Data, bytes, out var length))
        {
            return request.Data is { Length: > (MaxSnapshotBytes + 2) / 3 * 4 } ? TooLarge() : Invalid("The snapshot data is not valid base64.");
        }

        if (length > MaxSnapshotBytes)
        {
            return TooLarge();
        }

        var data = bytes.AsSpan(0, length).ToArray();
        if (!string.Equals(AssetSniffer.ImageMediaType(data), mediaType, StringComparison.Ordinal))
        {
            return Invalid($"The snapshot's bytes are not a {mediaType} image.");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.CardSnapshots.SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is null)
        {
            db.CardSnapshots.Add(new CardSnapshotEntity { BoardId = card.BoardId, WindowId = card.WindowId, MediaType = mediaType, Data = data, Sha256 = sha, UpdatedAt = now });
        }
        else
        {
            row.MediaType = mediaType;
            row.Data = data;
            row.Sha256 = sha;
            row.UpdatedAt = now;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (!StorageErrors.IsFull(ex))
        {
            // Two closes raced on a card's first snapshot; either image is right.
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> Get(
        HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        var card = http.Card();

        var row = await db.CardSnapshots.AsNoTracking().SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.SnapshotNotFound, "This card has no snapshot yet.");
        }

        var etag = "\"" + row.Sha256 + "\"";
        AssetsApi.SetAssetHeaders(http.Response, "private, no-cache");
        http.Response.Headers.ETag = etag;
        if (HttpCaching.IfNoneMatchHits(http.Request, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.File(row.Data, row.MediaType);
    }

    private static ProblemHttpResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.SnapshotTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"A card snapshot is limited to {MaxSnapshotBytes / 1024} KB."));

    private static ProblemHttpResult Invalid(string detail) =>
        Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SnapshotInvalid, detail);
}
