using System.Globalization;
using System.Text.Json;
using Labyrinth.Core.Boards;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Boards;

internal static class BoardsApi
{
    public static IServiceCollection AddBoards(this IServiceCollection services)
    {
        services.AddScoped<BoardValidator>();
        services.AddSingleton<CardStateWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<CardStateWriter>());
        return services;
    }

    public static IEndpointRouteBuilder MapBoards(this IEndpointRouteBuilder app)
    {
        var boards = app.MapGroup("/api/boards").RequireAuthorization().WithTags("Boards");
        boards.MapGet("/", List);
        boards.MapPost("/", Create);
        boards.MapGet("/{id:guid}", Get);
        boards.MapPatch("/{id:guid}", Rename);
        boards.MapDelete("/{id:guid}", Delete);
        boards.MapPut("/{id:guid}/layout", SaveLayout);
        boards.MapPost("/{id:guid}/windows", Spawn);
        boards.MapGet("/{id:guid}/windows/{windowId}/payload", GetPayload);
        boards.MapPut("/{id:guid}/windows/{windowId}/payload", PutPayload);
        return app;
    }

    private static async Task<Ok<BoardSummaryDto[]>> List(HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        var owner = http.User.UserId();
        var rows = await db.Boards.AsNoTracking().Where(b => b.OwnerId == owner).OrderBy(b => b.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(BoardMapping.ToSummary).ToArray());
    }

    private static async Task<Results<Created<BoardDto>, ValidationProblem>> Create(CreateBoardRequest request, HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        if (BoardValidator.CheckName(request.Name) is { } nameError)
        {
            return Problems.Validation("The board name is not valid.", "name", nameError);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var doc = BoardDocument.Empty;
        var board = new BoardEntity
        {
            Id = Guid.NewGuid(),
            OwnerId = http.User.UserId(),
            Name = request.Name!.Trim(),
            Version = 1,
            DocumentJson = doc.Write(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Boards.Add(board);
        await db.SaveChangesAsync(ct);
        SetETag(http, board);
        return TypedResults.Created($"/api/boards/{board.Id}", BoardMapping.ToDto(board, doc));
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, LabyrinthDb db, PluginCatalog catalog, PluginAccess access, TimeProvider clock, CancellationToken ct)
    {
        var board = await FindOwnedAsync(db, http, id, ct);
        if (board is null)
        {
            return NotFound();
        }

        var doc = BoardDocument.Read(board);
        if (await FollowAssignmentsAsync(db, catalog, access, clock, board, doc, ct) is { } followed)
        {
            doc = followed;
        }

        SetETag(http, board);
        return TypedResults.Ok(BoardMapping.ToDto(board, doc));
    }

    /// <summary>
    /// Cards whose person's version moved below their pin (a rollout rolled back) are stored on that
    /// version, so the page, the frame and every card route agree. Null when nothing moved, or when
    /// the board changed meanwhile (the next read moves them; the card routes already follow).
    /// </summary>
    internal static async Task<BoardDocument?> FollowAssignmentsAsync(
        LabyrinthDb db, PluginCatalog catalog, PluginAccess access, TimeProvider clock, BoardEntity board, BoardDocument doc, CancellationToken ct)
    {
        var moved = false;
        for (var i = 0; i < doc.Windows.Count; i++)
        {
            if (doc.Windows[i].Plugin is { } plugin && catalog.Find(plugin.PluginId) is { } installed &&
                access.CardVersion(board.OwnerId, installed, plugin.Version, plugin.TypeID) is var version && version != plugin.Version)
            {
                doc.Windows[i] = doc.Windows[i] with { Plugin = plugin with { Version = version } };
                moved = true;
            }
        }

        if (!moved)
        {
            return null;
        }

        // The board is tracked: its Version concurrency token makes a concurrent write win.
        board.DocumentJson = doc.Write();
        board.Version++;
        board.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }

        return doc;
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult, ValidationProblem>> Rename(Guid id, RenameBoardRequest request, HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        if (BoardValidator.CheckName(request.Name) is { } nameError)
        {
            return Problems.Validation("The board name is not valid.", "name", nameError);
        }

        var (board, failed) = await FindForWriteAsync(db, http, id, ct);
        if (failed is not null)
        {
            return failed;
        }

        board.Name = request.Name!.Trim();
        return await CommitAsync(http, db, clock, board, BoardDocument.Read(board), ct, windowsChanged: false);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext http, LabyrinthDb db, CardGrants cards, CardGrantSignals signals, CancellationToken ct)
    {
        var board = await FindOwnedAsync(db, http, id, ct);
        if (board is null)
        {
            return NotFound();
        }

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await DeleteBoardDataAsync(db, cards, id, ct);
            db.Boards.Remove(board);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        signals.RevokeBoard(id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Everything stored under a board besides its row (cards' payloads, snapshots and grants, ink).
    /// One place, so deleting a board and deleting its owner's account remove the same things.
    /// </summary>
    public static async Task DeleteBoardDataAsync(LabyrinthDb db, CardGrants cards, Guid boardId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cards);
        await cards.DeleteBoardAsync(boardId, ct);
        await Ink.InkApi.DeleteBoardAsync(db, boardId, ct);
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult, ValidationProblem>> SaveLayout(
        Guid id, LayoutRequest request, HttpContext http, LabyrinthDb db, BoardValidator validator, CardGrants cards, CardGrantSignals signals,
        TimeProvider clock, CancellationToken ct)
    {
        var (board, failed) = await FindForWriteAsync(db, http, id, ct);
        if (failed is not null)
        {
            return failed;
        }

        var current = BoardDocument.Read(board);
        var errors = validator.Layout(request, current);
        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.BoardInvalidLayout, "The board layout is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v).Take(3)), errors);
        }

        // Only plugin windows have a live frame; other kinds always store closed.
        var windows = request.Windows!.Select(w => w!.Open && !w.IsOpenCard ? w with { Open = false } : w!).ToList();
        if (windows.Count(w => w.IsOpenCard) > WindowRules.MaxOpenCards)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.CardTooManyOpen,
                $"At most {WindowRules.MaxOpenCards} cards can be open at once; close one first.");
        }

        var removed = current.Windows.Select(w => w.Id).Except(windows.Select(w => w.Id), StringComparer.Ordinal).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await cards.DeleteCardsAsync(id, removed, ct);
        var committed = await CommitAsync(http, db, clock, board, new BoardDocument(request.Viewport!, windows), ct);
        if (committed.Result is Ok<BoardDto>)
        {
            await tx.CommitAsync(ct);
            foreach (var windowId in removed)
            {
                signals.RevokeCard(id, windowId);
            }
        }

        return committed;
    }

    private static async Task<Results<Created<SpawnResultDto>, ProblemHttpResult, ValidationProblem>> Spawn(
        Guid id, SpawnRequest request, HttpContext http, LabyrinthDb db, BoardValidator validator, TimeProvider clock, CancellationToken ct)
    {
        var (board, failed) = await FindForWriteAsync(db, http, id, ct);
        if (failed is not null)
        {
            return failed;
        }

        var doc = BoardDocument.Read(board);
        var (window, failure) = validator.Spawn(http.User.UserId(), request, doc);
        if (failure is not null)
        {
            return failure.Errors is { Count: > 0 }
                ? Problems.Validation(failure.Code, failure.Detail, failure.Errors)
                : Problems.Create(failure.Status, failure.Code, failure.Detail);
        }

        doc.Windows.Add(window!);
        var committed = await CommitAsync(http, db, clock, board, doc, ct);
        return committed.Result switch
        {
            Ok<BoardDto> ok => TypedResults.Created($"/api/boards/{id}/windows/{window!.Id}", new SpawnResultDto(ok.Value!, window)),
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException("Unexpected commit result."),
        };
    }

    private static async Task<Results<Ok<PayloadDto>, ProblemHttpResult>> GetPayload(Guid id, string windowId, HttpContext http, LabyrinthDb db, PluginAccess access, CancellationToken ct)
    {
        var owner = http.User.UserId();
        if (!await db.CardWindows.AnyAsync(w => w.BoardId == id && w.WindowId == windowId && db.Boards.Any(b => b.Id == id && b.OwnerId == owner), ct))
        {
            return await MissingCardAsync(db, owner, id, ct);
        }

        if (await UnavailableAsync(db, access, owner, id, windowId, ct) is { } refused)
        {
            return refused;
        }

        var row = await db.CardPayloads.AsNoTracking().SingleOrDefaultAsync(p => p.BoardId == id && p.WindowId == windowId, ct);
        if (row is null)
        {
            return TypedResults.Ok(new PayloadDto(null, 0));
        }

        using var doc = JsonDocument.Parse(row.PayloadJson);
        return TypedResults.Ok(new PayloadDto(doc.RootElement.Clone(), row.Version));
    }

    /// <summary>
    /// Stores a card's state blob. It is written by untrusted plugin code, so the body is read
    /// with a hard cap before parsing rather than trusting Content-Length. The write is one
    /// statement: insert or bump the version, only if the window is a card on a board of the
    /// caller's (the CardWindows index, not the board document), returning the new version; so
    /// concurrent writers never lose an acknowledged write, and each gets its own version. It is
    /// committed together with whatever other card states are waiting (<see cref="CardStateWriter"/>).
    /// </summary>
    private static async Task<Results<Ok<PayloadVersionDto>, ProblemHttpResult>> PutPayload(
        Guid id, string windowId, HttpContext http, LabyrinthDb db, CardStateWriter writer, TimeProvider clock, IOptions<LabyrinthOptions> options,
        PluginAccess access, CancellationToken ct)
    {
        if (await UnavailableAsync(db, access, http.User.UserId(), id, windowId, ct) is { } refused)
        {
            return refused;
        }

        var limit = options.Value.MaxPayloadBytes;
        var body = await RequestBodies.ReadCappedAsync(http.Request.Body, limit + 64, ct);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"Card state is limited to {limit / 1024} KiB."));
        }

        string payloadJson;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("payload", out var payload))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PayloadInvalid, "The body must be {\"payload\": …}.");
            }

            payloadJson = payload.GetRawText();
        }
        catch (JsonException)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PayloadInvalid, "The card state is not valid JSON.");
        }

        if (payloadJson.Length > limit)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"Card state is limited to {limit / 1024} KiB."));
        }

        var owner = http.User.UserId();
        var version = await writer.WriteAsync(new CardStateWrite(id, windowId, owner, payloadJson, clock.GetUtcNow().UtcDateTime));
        return version is { } v
            ? TypedResults.Ok(new PayloadVersionDto(v))
            : await MissingCardAsync(db, owner, id, ct);
    }

    /// <summary>
    /// 403 when the window is a card of a plugin limited to groups the caller is not in. Only read
    /// when some plugin is limited at all: the state routes are hot and need no board read otherwise.
    /// </summary>
    private static async Task<ProblemHttpResult?> UnavailableAsync(LabyrinthDb db, PluginAccess access, Guid owner, Guid boardId, string windowId, CancellationToken ct)
    {
        if (!access.AnyRestricted)
        {
            return null;
        }

        var board = await db.Boards.AsNoTracking().SingleOrDefaultAsync(b => b.Id == boardId && b.OwnerId == owner, ct);
        var plugin = board is null ? null : BoardDocument.Read(board).Windows.FirstOrDefault(w => w.Id == windowId)?.Plugin;
        return plugin is not null && !access.IsAvailable(owner, plugin.PluginId) ? Cards.CardsApi.NotAvailable(plugin.PluginId) : null;
    }

    /// <summary>The 404 for a card that is not there: board.not_found unless the board is the caller's, else window.not_found.</summary>
    private static async Task<ProblemHttpResult> MissingCardAsync(LabyrinthDb db, Guid owner, Guid boardId, CancellationToken ct) =>
        await db.Boards.AsNoTracking().AnyAsync(b => b.Id == boardId && b.OwnerId == owner, ct) ? WindowNotFound() : NotFound();

    /// <summary>Keeps CardWindows equal to the document's plugin windows; the caller's SaveChanges commits both together.</summary>
    private static async Task SyncCardWindowsAsync(LabyrinthDb db, Guid boardId, BoardDocument doc, CancellationToken ct)
    {
        var wanted = doc.Windows.Where(w => w.Kind == WindowRules.Plugin).Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var row in await db.CardWindows.Where(w => w.BoardId == boardId).ToListAsync(ct))
        {
            if (!wanted.Remove(row.WindowId))
            {
                db.CardWindows.Remove(row);
            }
        }

        foreach (var windowId in wanted)
        {
            db.CardWindows.Add(new CardWindowEntity { BoardId = boardId, WindowId = windowId });
        }
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult, ValidationProblem>> CommitAsync(
        HttpContext http, LabyrinthDb db, TimeProvider clock, BoardEntity board, BoardDocument doc, CancellationToken ct, bool windowsChanged = true)
    {
        if (windowsChanged)
        {
            await SyncCardWindowsAsync(db, board.Id, doc, ct);
        }

        board.DocumentJson = doc.Write();
        board.Version++;
        board.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return VersionConflict();
        }

        SetETag(http, board);
        return TypedResults.Ok(BoardMapping.ToDto(board, doc));
    }

    /// <summary>Board writes must name the version they were based on; anything else would be last-write-wins.</summary>
    private static ProblemHttpResult? CheckPrecondition(HttpContext http, BoardEntity board)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return Problems.Create(StatusCodes.Status428PreconditionRequired, ErrorCodes.BoardPreconditionRequired,
                "Send the board version you edited in an If-Match header.");
        }

        var trimmed = header.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        return long.TryParse(trimmed.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version == board.Version
            ? null
            : VersionConflict();
    }

    private static ProblemHttpResult VersionConflict() =>
        Problems.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.BoardVersionConflict,
            "This board was changed elsewhere. Reload it to see the latest version.");

    private static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.BoardNotFound, "That board does not exist or is not yours.");

    private static ProblemHttpResult WindowNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.WindowNotFound, "That card is not on this board.");

    /// <summary>
    /// The caller's board for a write. When Problem is set (not found, or a stale or missing If-Match)
    /// the caller returns it and Board is not to be used.
    /// </summary>
    private static async Task<(BoardEntity Board, ProblemHttpResult? Problem)> FindForWriteAsync(LabyrinthDb db, HttpContext http, Guid id, CancellationToken ct)
    {
        var board = await FindOwnedAsync(db, http, id, ct);
        if (board is null)
        {
            return (null!, NotFound());
        }

        return (board, CheckPrecondition(http, board));
    }

    private static Task<BoardEntity?> FindOwnedAsync(LabyrinthDb db, HttpContext http, Guid id, CancellationToken ct)
    {
        var owner = http.User.UserId();
        return db.Boards.SingleOrDefaultAsync(b => b.Id == id && b.OwnerId == owner, ct);
    }

    private static void SetETag(HttpContext http, BoardEntity board) =>
        http.Response.Headers.ETag = "\"" + board.Version.ToString(CultureInfo.InvariantCulture) + "\"";
}
