using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Ink;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Ink;

/// <summary>
/// Ink strokes of a board (docs/api.md "Ink"): their own table, written by small add / erase /
/// restore operations and never by rewriting the board document. Only the board's owner reaches
/// them; anyone else gets the same 404 as for a missing board.
/// </summary>
internal static class InkApi
{
    /// <summary>How often a write retries when another writer bumped the board's ink revision first.</summary>
    private const int WriteAttempts = 5;

    public static readonly InkLimitsDto Limits = new(
        InkRules.MaxPointsPerStroke, InkRules.MaxStrokesPerBoard, InkRules.MaxStrokesPerBatch, InkRules.MaxIdsPerBatch, InkRules.MaxBatchBytes,
        InkRules.MaxCoordinate, InkRules.MinWidth, InkRules.MaxWidth, InkRules.Quantum,
        InkRules.MaxSelectionStrokes, InkRules.MaxSelectionPoints, InkRules.MaxSelectionImageBytes);

    public static IServiceCollection AddInk(this IServiceCollection services) => services.AddSingleton<InkResponseCache>();

    public static IEndpointRouteBuilder MapInk(this IEndpointRouteBuilder app)
    {
        var strokes = app.MapGroup("/api/boards/{id:guid}/strokes").RequireAuthorization().WithTags("Ink")
            .AddEndpointFilter(OwnedBoardOnly);
        strokes.MapGet("/", Get);
        strokes.MapPost("/", Add);
        strokes.MapDelete("/", Erase);
        strokes.MapPost("/restore", Restore);
        return app;
    }

    /// <summary>Every route acts on the caller's own board; another user's board is indistinguishable from a missing one.</summary>
    private static async ValueTask<object?> OwnedBoardOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var db = http.RequestServices.GetRequiredService<LabyrinthDb>();
        var owner = http.User.UserId();
        var owns = Guid.TryParse(http.Request.RouteValues["id"] as string, out var id) &&
                   await db.Boards.AsNoTracking().AnyAsync(b => b.Id == id && b.OwnerId == owner, http.RequestAborted);
        return owns
            ? await next(context)
            : Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.BoardNotFound, "That board does not exist or is not yours.");
    }

    /// <summary>
    /// The board's live strokes. The serialised answer is kept per (board, revision): reading and
    /// serialising 10,000 strokes costs tens of milliseconds of CPU, and a revision's strokes never
    /// change, so every reload after the first is a memory copy (correct with several instances
    /// too: the revision comes from the database on every request).
    /// </summary>
    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult>> Get(
        Guid id, HttpContext http, LabyrinthDb db, InkResponseCache cache, CancellationToken ct)
    {
        // One read transaction: the revision and the strokes come from the same snapshot.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var revision = await db.InkBoards.AsNoTracking().Where(i => i.BoardId == id).Select(i => i.Revision).FirstOrDefaultAsync(ct);
        var etag = "\"ink-" + revision.ToString(CultureInfo.InvariantCulture) + "\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "private, no-cache";
        if (HttpCaching.IfNoneMatchHits(http.Request, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var body = cache.Get(id, revision);
        if (body is null)
        {
            var strokes = await db.InkStrokes.AsNoTracking()
                .Where(s => s.BoardId == id && s.ErasedBy == null)
                .OrderBy(s => s.Seq)
                .Select(s => new StrokeDto(s.StrokeId, s.Color, s.Width, s.Points))
                .ToArrayAsync(ct);
            body = JsonSerializer.SerializeToUtf8Bytes(new InkDto(revision, strokes, Limits), JsonSerializerOptions.Web);
            cache.Set(id, revision, body);
        }

        return TypedResults.File(body, "application/json");
    }

    private static async Task<Results<Ok<StrokesAddedDto>, ProblemHttpResult, ValidationProblem>> Add(
        Guid id, HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        var body = await RequestBodies.ReadCappedAsync(http.Request, InkRules.MaxBatchBytes, ct);
        if (body is null)
        {
            return BatchTooLarge(string.Create(CultureInfo.InvariantCulture, $"One request adds at most {InkRules.MaxBatchBytes / (1024 * 1024)} MiB of strokes; send them in smaller batches."));
        }

        AddStrokesRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<AddStrokesRequest>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InkInvalidStroke,
                "The body must be {\"strokes\": [{\"id\", \"points\": [x, y, pressure, …], \"color\", \"width\"}]} with finite numbers.");
        }

        if (request?.Strokes is not { Length: > 0 } inputs)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InkInvalidStroke, "Send at least one stroke.");
        }

        if (inputs.Length > InkRules.MaxStrokesPerBatch)
        {
            return BatchTooLarge(string.Create(CultureInfo.InvariantCulture, $"One request adds at most {InkRules.MaxStrokesPerBatch} strokes; this one has {inputs.Length}."));
        }

        var (prepared, failure) = Prepare(inputs, clock.GetUtcNow().UtcDateTime);
        if (failure is not null)
        {
            return failure;
        }

        var ids = prepared.Select(s => s.StrokeId).ToList();
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var taken = await db.InkStrokes.AsNoTracking().Where(s => s.BoardId == id && ids.Contains(s.StrokeId)).Select(s => s.StrokeId).ToListAsync(ct);
            if (taken.Count > 0)
            {
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.InkStrokeExists,
                    $"This board already has a stroke with the id {taken[0]}; stroke ids are never reused.",
                    new Dictionary<string, object?> { ["ids"] = taken });
            }

            var ink = await ForWriteAsync(db, id, ct);
            if (ink.LiveStrokes + prepared.Count > InkRules.MaxStrokesPerBoard)
            {
                return BoardFull(ink.LiveStrokes);
            }

            foreach (var stroke in prepared)
            {
                stroke.BoardId = id;
                stroke.Seq = ink.NextSeq++;
                db.InkStrokes.Add(stroke);
            }

            ink.LiveStrokes += prepared.Count;
            ink.Revision++;
            if (await TrySaveAsync(db, attempt, ct))
            {
                return TypedResults.Ok(new StrokesAddedDto(ink.Revision, prepared.Count));
            }
        }
    }

    private static async Task<Results<Ok<StrokesErasedDto>, ProblemHttpResult>> Erase(
        Guid id, [Microsoft.AspNetCore.Mvc.FromBody] EraseStrokesRequest request, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        var (ids, failure) = CheckIds(request.Ids);
        if (failure is not null)
        {
            return failure;
        }

        var erasure = "e_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var now = clock.GetUtcNow().UtcDateTime;
        // Housekeeping: erased strokes older than the restore window can no longer come back.
        var cutoff = now - InkRules.RestoreWindow;
        await db.InkStrokes.Where(s => s.BoardId == id && s.ErasedAt != null && s.ErasedAt < cutoff).ExecuteDeleteAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var live = await db.InkStrokes.Where(s => s.BoardId == id && s.ErasedBy == null && ids.Contains(s.StrokeId)).ToListAsync(ct);
            var ink = await ForWriteAsync(db, id, ct);
            foreach (var stroke in live)
            {
                stroke.ErasedBy = erasure;
                stroke.ErasedAt = now;
            }

            var erased = live.Select(s => s.StrokeId).ToHashSet(StringComparer.Ordinal);
            // Already erased (here or in another tab) or never drawn: the goal is met; say which, erase the rest.
            var missing = ids.Where(i => !erased.Contains(i)).ToArray();
            if (live.Count > 0)
            {
                ink.LiveStrokes -= live.Count;
                ink.Revision++;
                if (!await TrySaveAsync(db, attempt, ct))
                {
                    continue;
                }
            }

            return TypedResults.Ok(new StrokesErasedDto(ink.Revision, erasure, ids.Where(erased.Contains).ToArray(), missing));
        }
    }

    private static async Task<Results<Ok<StrokesRestoredDto>, ProblemHttpResult>> Restore(
        Guid id, RestoreStrokesRequest request, LabyrinthDb db, CancellationToken ct)
    {
        var (ids, failure) = CheckIds(request.Ids);
        if (failure is not null)
        {
            return failure;
        }

        if (request.Erasure is not { Length: > 0 and <= 40 } erasure)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InkInvalidStroke, "Name the erase to undo (its \"erasure\" id).");
        }

        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var rows = await db.InkStrokes.Where(s => s.BoardId == id && ids.Contains(s.StrokeId)).ToListAsync(ct);
            // All or nothing: a stroke that is live again, was erased by someone else's erase, or is
            // gone for good must not come back (or stay away) silently.
            var mine = rows.Where(s => s.ErasedBy == erasure).Select(s => s.StrokeId).ToHashSet(StringComparer.Ordinal);
            var conflicts = ids.Where(i => !mine.Contains(i)).ToArray();
            if (conflicts.Length > 0)
            {
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.InkStrokeConflict,
                    conflicts.Length == 1
                        ? "A stroke to restore was changed elsewhere (drawn back, erased again or expired), so nothing was restored."
                        : string.Create(CultureInfo.InvariantCulture, $"{conflicts.Length} strokes to restore were changed elsewhere (drawn back, erased again or expired), so nothing was restored."),
                    new Dictionary<string, object?> { ["ids"] = conflicts });
            }

            var ink = await ForWriteAsync(db, id, ct);
            if (ink.LiveStrokes + rows.Count > InkRules.MaxStrokesPerBoard)
            {
                return BoardFull(ink.LiveStrokes);
            }

            foreach (var stroke in rows)
            {
                stroke.ErasedBy = null;
                stroke.ErasedAt = null;
            }

            ink.LiveStrokes += rows.Count;
            ink.Revision++;
            if (await TrySaveAsync(db, attempt, ct))
            {
                return TypedResults.Ok(new StrokesRestoredDto(ink.Revision, [.. ids]));
            }
        }
    }

    /// <summary>Deletes a board's ink (strokes, tombstones, bookkeeping); the caller saves and commits.</summary>
    public static async Task DeleteBoardAsync(LabyrinthDb db, Guid boardId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.InkStrokes.Where(s => s.BoardId == boardId).ExecuteDeleteAsync(ct);
        await db.InkBoards.Where(i => i.BoardId == boardId).ExecuteDeleteAsync(ct);
    }

    /// <summary>Validates and encodes a batch; all strokes or none.</summary>
    private static (List<InkStrokeEntity> Strokes, ValidationProblem? Failure) Prepare(StrokeInput?[] inputs, DateTime now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tooMany = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var strokes = new List<InkStrokeEntity>(inputs.Length);
        for (var i = 0; i < inputs.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"strokes[{i}]");
            var input = inputs[i];
            if (input is null)
            {
                errors[prefix] = ["Each stroke must be an object."];
                continue;
            }

            if (!InkRules.IsStrokeId(input.Id))
            {
                errors[prefix + ".id"] = ["A stroke id is 8–64 characters of A–Z, a–z, 0–9, _ and -."];
            }
            else if (!seen.Add(input.Id!))
            {
                errors[prefix + ".id"] = [$"The id {input.Id} appears twice in this batch."];
            }

            var color = InkRules.NormalizeColor(input.Color);
            if (color is null)
            {
                errors[prefix + ".color"] = [$"A colour is #rrggbb or \"{InkRules.DefaultInk}\" (default ink)."];
            }

            if (input.Width is not { } width || InkRules.CheckWidth(width) is not null)
            {
                errors[prefix + ".width"] = [InkRules.CheckWidth(input.Width ?? double.NaN)!];
            }

            if (InkRules.CheckPoints(input.Points ?? [], out var overLimit) is { } pointsError)
            {
                errors[prefix + ".points"] = [pointsError];
                tooMany |= overLimit;
            }

            if (errors.Count > 0)
            {
                continue;
            }

            var encoded = StrokeCodec.Encode(input.Points!, out var bounds);
            strokes.Add(new InkStrokeEntity
            {
                StrokeId = input.Id!,
                Color = color!,
                Width = input.Width!.Value,
                PointCount = input.Points!.Length / 3,
                Points = encoded,
                MinX = bounds.MinX,
                MinY = bounds.MinY,
                MaxX = bounds.MaxX,
                MaxY = bounds.MaxY,
                CreatedAt = now,
            });
        }

        if (errors.Count == 0)
        {
            return (strokes, null);
        }

        var detail = string.Join(" ", errors.Values.SelectMany(v => v).Take(3));
        return ([], Problems.Validation(tooMany ? ErrorCodes.InkTooManyPoints : ErrorCodes.InkInvalidStroke, "Some strokes are not valid: " + detail, errors));
    }

    private static (List<string> Ids, ProblemHttpResult? Failure) CheckIds(string?[]? ids)
    {
        if (ids is not { Length: > 0 })
        {
            return ([], Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InkInvalidStroke, "Send the ids of the strokes: {\"ids\": [\"…\"]}."));
        }

        if (ids.Length > InkRules.MaxIdsPerBatch)
        {
            return ([], BatchTooLarge(string.Create(CultureInfo.InvariantCulture, $"One request names at most {InkRules.MaxIdsPerBatch} strokes; this one names {ids.Length}.")));
        }

        if (ids.Any(i => !InkRules.IsStrokeId(i)))
        {
            return ([], Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InkInvalidStroke, "A stroke id is 8–64 characters of A–Z, a–z, 0–9, _ and -."));
        }

        return (ids.Select(i => i!).Distinct(StringComparer.Ordinal).ToList(), null);
    }

    private static async Task<InkBoardEntity> ForWriteAsync(LabyrinthDb db, Guid boardId, CancellationToken ct)
    {
        var ink = await db.InkBoards.SingleOrDefaultAsync(i => i.BoardId == boardId, ct);
        if (ink is null)
        {
            ink = new InkBoardEntity { BoardId = boardId, Revision = 0, LiveStrokes = 0, NextSeq = 1 };
            db.InkBoards.Add(ink);
        }

        return ink;
    }

    /// <summary>Saves; false when another writer got there first and the caller should try again on fresh rows.</summary>
    private static async Task<bool> TrySaveAsync(LabyrinthDb db, int attempt, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException) when (attempt < WriteAttempts)
        {
            // DbUpdateConcurrencyException: the revision moved. A plain DbUpdateException: two first
            // writes raced to create the board's ink row (or the same new stroke id). Both retry.
            await Task.Delay(Random.Shared.Next(5, 20) * attempt, ct);
            return false;
        }
    }

    private static ProblemHttpResult BatchTooLarge(string detail) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InkBatchTooLarge, detail);

    private static ProblemHttpResult BoardFull(int live) =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.InkBoardFull,
            string.Create(CultureInfo.InvariantCulture, $"A board holds at most {InkRules.MaxStrokesPerBoard:N0} strokes and this one has {live:N0}; erase some first."));
}
