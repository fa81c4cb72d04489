using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Assets;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Ink;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

internal sealed record SelectionStrokeInput(double[][]? Points, string? Color, double? Width);

internal sealed record SelectionImageInput(string? MediaType, string? Data);

internal sealed record ShareSelectionRequest(SelectionStrokeInput?[]? Strokes, double? Width, double? Height, SelectionImageInput? Image);

/// <summary>What the permissions panel shows about the selection a card holds (never the strokes themselves).</summary>
internal sealed record SharedSelectionDto(string Id, double Width, double Height, int StrokeCount, int PointCount, long ImageBytes, DateTime CreatedAt, string PreviewUrl);

/// <summary>The whole share, for the page to push into the card after <c>init</c>.</summary>
internal sealed record SelectionContentDto(string Id, double Width, double Height, JsonElement Strokes, string ImageMediaType, byte[] Image, DateTime CreatedAt);

/// <summary>
/// The ink selection a person gave one card (CSC §6.1 / §7 / §13.1, docs/api.md "Shared
/// selections"): stored per card so it survives reload, listed in the permissions panel with its
/// preview, and deleted by Revoke. The card receives it only through the page, only after the
/// person chose Convert to Math; nothing here lets a card reach the rest of the board.
/// </summary>
internal static class CardSelectionsApi
{
    public const int MaxStrokes = InkRules.MaxSelectionStrokes;
    public const int MaxTotalPoints = InkRules.MaxSelectionPoints;
    public const int MaxImageBytes = InkRules.MaxSelectionImageBytes;
    public const double MaxExtent = 2 * InkRules.MaxCoordinate;

    /// <summary>Strokes may reach a little past the box the page computed (rounding of quantised points).</summary>
    private const double Tolerance = 1;

    // Points as JSON (≈ 25 bytes each) plus the image as base64 plus room for the envelope.
    private const int MaxBodyBytes = (MaxTotalPoints * 28) + ((MaxImageBytes + 2) / 3 * 4) + 64 * 1024;

    public static RouteGroupBuilder MapCardSelections(this RouteGroupBuilder card)
    {
        ArgumentNullException.ThrowIfNull(card);
        card.MapPut("/selection", Share);
        card.MapGet("/selection", Get);
        card.MapGet("/selection/image", Image);
        card.MapDelete("/selection", Revoke).EvenWhenUnavailable();
        return card;
    }

    private static async Task<Results<Ok<SharedSelectionDto>, ProblemHttpResult, ValidationProblem>> Share(
        HttpContext http, LabyrinthDb db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var card = http.Card();

        if (card.Stopped)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CardPluginStopped, "This card's plugin is disabled or stopped by an admin, so it cannot be given a selection.");
        }

        var body = await RequestBodies.ReadCappedAsync(http.Request, MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge("The selection is too large to share; lasso fewer strokes.");
        }

        ShareSelectionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ShareSelectionRequest>(body, RequestJson.Options);
        }
        catch (JsonException)
        {
            return Invalid("The body must be {\"strokes\": [{\"points\": [[x, y, pressure], …], \"color\", \"width\"}], \"width\", \"height\", \"image\": {\"mediaType\": \"image/png\", \"data\": \"<base64>\"}}.");
        }

        if (request is null)
        {
            return Invalid("Send the selection.");
        }

        var (strokes, pointCount, problem) = CheckStrokes(request);
        if (problem is not null)
        {
            return problem;
        }

        var (png, imageProblem) = CheckImage(request.Image);
        if (imageProblem is not null)
        {
            return imageProblem;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.SharedSelections.SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is not null)
        {
            db.SharedSelections.Remove(row);
            await db.SaveChangesAsync(ct);
        }

        row = new SharedSelectionEntity
        {
            BoardId = card.BoardId,
            WindowId = card.WindowId,
            SelectionId = "sel_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            UserId = card.UserId,
            Width = request.Width!.Value,
            Height = request.Height!.Value,
            StrokeCount = strokes.Count,
            PointCount = pointCount,
            StrokesJson = strokes.ToJsonString(),
            Png = png!,
            PngSha256 = Convert.ToHexStringLower(SHA256.HashData(png!)),
            CreatedAt = now,
        };
        db.SharedSelections.Add(row);
        // The audit row says what was shared and how much, never the ink itself.
        await audit.AppendAsync(http.Actor(), CardAuditActions.SelectionShared, card.PluginId,
            CardGrants.Detail(card, new { selectionId = row.SelectionId, strokes = row.StrokeCount, points = row.PointCount, imageBytes = png!.Length }), ct);
        return TypedResults.Ok(ToDto(row));
    }

    private static async Task<Results<Ok<SelectionContentDto>, ProblemHttpResult>> Get(
        HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        var card = http.Card();

        var row = await db.SharedSelections.AsNoTracking().SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is null)
        {
            return NotFound();
        }

        http.Response.Headers.CacheControl = "no-store";
        using var strokes = JsonDocument.Parse(row.StrokesJson);
        return TypedResults.Ok(new SelectionContentDto(row.SelectionId, row.Width, row.Height, strokes.RootElement.Clone(), "image/png", row.Png, row.CreatedAt));
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> Image(
        HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        var card = http.Card();

        var row = await db.SharedSelections.AsNoTracking().SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is null)
        {
            return NotFound();
        }

        var etag = "\"" + row.PngSha256 + "\"";
        AssetsApi.SetAssetHeaders(http.Response, "private, no-cache");
        http.Response.Headers.ETag = etag;
        return HttpCaching.IfNoneMatchHits(http.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.File(row.Png, "image/png");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        HttpContext http, LabyrinthDb db, AuditLog audit, CancellationToken ct)
    {
        var card = http.Card();

        var revoked = await RemoveAsync(db, card, ct);
        if (revoked is not null)
        {
            await audit.AppendAsync(http.Actor(), CardAuditActions.SelectionRevoked, card.PluginId,
                CardGrants.Detail(card, new { selectionId = revoked }), ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Deletes the card's shared selection and, with it, the picture of the closed card: it was
    /// drawn from the card while it held the ink (the Math card shows it), so keeping it would keep
    /// the ink. The closed card shows its icon and name until it is next closed. Returns the
    /// revoked selection's id, or null when there was none; the caller saves.
    /// </summary>
    public static async Task<string?> RemoveAsync(LabyrinthDb db, CardInstance card, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(card);
        var row = await db.SharedSelections.SingleOrDefaultAsync(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId, ct);
        if (row is null)
        {
            return null;
        }

        db.SharedSelections.Remove(row);
        db.CardSnapshots.RemoveRange(await db.CardSnapshots.Where(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId).ToListAsync(ct));
        return row.SelectionId;
    }

    /// <summary>The card's selection for its permissions panel, or null.</summary>
    public static async Task<SharedSelectionDto?> FindAsync(LabyrinthDb db, CardInstance card, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(card);
        var row = await db.SharedSelections.AsNoTracking()
            .Where(s => s.BoardId == card.BoardId && s.WindowId == card.WindowId)
            .Select(s => new { s.SelectionId, s.Width, s.Height, s.StrokeCount, s.PointCount, s.PngSha256, s.CreatedAt, Bytes = (long)s.Png.Length })
            .SingleOrDefaultAsync(ct);
        return row is null
            ? null
            : new SharedSelectionDto(row.SelectionId, row.Width, row.Height, row.StrokeCount, row.PointCount, row.Bytes, row.CreatedAt,
                PreviewUrl(card.BoardId, card.WindowId, row.PngSha256));
    }

    /// <summary>
    /// Checks the strokes against the box they claim and rebuilds them from the checked numbers, so
    /// what is stored (and later pushed) is exactly <c>{ points, color, width }</c> and nothing a
    /// page might have added.
    /// </summary>
    private static (JsonArray Strokes, int Points, ValidationProblem? Problem) CheckStrokes(ShareSelectionRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Width is not { } width || request.Height is not { } height ||
            !double.IsFinite(width) || !double.IsFinite(height) || width <= 0 || height <= 0 || width > MaxExtent || height > MaxExtent)
        {
            errors["width"] = [string.Create(CultureInfo.InvariantCulture, $"The box is finite, positive and at most {MaxExtent} units wide and high.")];
            return ([], 0, Validation(errors));
        }

        if (request.Strokes is not { Length: > 0 } inputs)
        {
            errors["strokes"] = ["A selection has at least one stroke."];
            return ([], 0, Validation(errors));
        }

        if (inputs.Length > MaxStrokes)
        {
            errors["strokes"] = [string.Create(CultureInfo.InvariantCulture, $"A selection has at most {MaxStrokes} strokes; this one has {inputs.Length}.")];
            return ([], 0, Validation(errors, ErrorCodes.SelectionTooLarge));
        }

        var total = 0;
        var strokes = new JsonArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"strokes[{i}]");
            var s = inputs[i];
            var color = InkRules.NormalizeColor(s?.Color);
            if (s?.Points is not { Length: > 0 } points || points.Length > InkRules.MaxPointsPerStroke)
            {
                errors[prefix + ".points"] = [string.Create(CultureInfo.InvariantCulture, $"A stroke has 1 to {InkRules.MaxPointsPerStroke} points.")];
                continue;
            }

            if (color is null || s.Width is not { } w || InkRules.CheckWidth(w) is not null)
            {
                errors[prefix] = [$"A stroke has a colour (#rrggbb or {InkRules.DefaultInk}) and a width between {InkRules.MinWidth} and {InkRules.MaxWidth}."];
                continue;
            }

            total += points.Length;
            var outPoints = new JsonArray();
            foreach (var p in points)
            {
                if (p is not { Length: 3 } || !double.IsFinite(p[0]) || !double.IsFinite(p[1]) || !double.IsFinite(p[2]) ||
                    p[0] < -Tolerance || p[1] < -Tolerance || p[0] > width + Tolerance || p[1] > height + Tolerance || p[2] < 0 || p[2] > 1)
                {
                    errors[prefix + ".points"] = ["Each point is [x, y, pressure] inside the selection's box (0..width, 0..height), pressure 0..1."];
                    break;
                }

                outPoints.Add(new JsonArray(p[0], p[1], p[2]));
            }

            strokes.Add(new JsonObject { ["points"] = outPoints, ["color"] = color, ["width"] = w });
        }

        if (total > MaxTotalPoints)
        {
            errors["strokes"] = [string.Create(CultureInfo.InvariantCulture, $"A selection has at most {MaxTotalPoints} points in all; this one has {total}.")];
            return ([], 0, Validation(errors, ErrorCodes.SelectionTooLarge));
        }

        return errors.Count > 0 ? ([], 0, Validation(errors)) : (strokes, total, null);
    }

    private static (byte[]? Png, ProblemHttpResult? Problem) CheckImage(SelectionImageInput? image)
    {
        if (image?.MediaType != "image/png" || image.Data is null)
        {
            return (null, Invalid("The selection's image is a PNG: {\"mediaType\": \"image/png\", \"data\": \"<base64>\"}."));
        }

        if (image.Data.Length > (MaxImageBytes + 2) / 3 * 4)
        {
            return (null, TooLarge(string.Create(CultureInfo.InvariantCulture, $"The selection's image is limited to {MaxImageBytes / (1024 * 1024)} MiB.")));
        }

        var bytes = new byte[MaxImageBytes + 3];
        if (!Convert.TryFromBase64String(image.Data, bytes, out var length) || length > MaxImageBytes)
        {
            return (null, Invalid("The selection's image is not valid base64."));
        }

        var png = bytes.AsSpan(0, length).ToArray();
        return AssetSniffer.ImageMediaType(png) == "image/png"
            ? (png, null)
            : (null, Invalid("The selection's image bytes are not a PNG."));
    }

    private static SharedSelectionDto ToDto(SharedSelectionEntity row) =>
        new(row.SelectionId, row.Width, row.Height, row.StrokeCount, row.PointCount, row.Png.LongLength, row.CreatedAt,
            PreviewUrl(row.BoardId, row.WindowId, row.PngSha256));

    private static string PreviewUrl(Guid boardId, string windowId, string sha256) =>
        $"/api/cards/{boardId}/{Uri.EscapeDataString(windowId)}/selection/image?v={sha256[..12]}";


    private static ValidationProblem Validation(Dictionary<string, string[]> errors, string code = ErrorCodes.SelectionInvalid) =>
        Problems.Validation(code, "The selection is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v).Take(3)), errors);

    private static ProblemHttpResult Invalid(string detail) => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SelectionInvalid, detail);

    private static ProblemHttpResult TooLarge(string detail) => Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.SelectionTooLarge, detail);

    private static ProblemHttpResult NotFound() => Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.SelectionNotFound, "This card holds no shared selection.");
}
