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
        return await TrySaveAsync(db, clock, board, doc, windowsChanged: true, ct) ? doc : null;
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

    /// <summary>Keeps CardWindows equal to the document's plugin windows; the caller's SaveChanges commits both together.</summary>
    public static async Task SyncCardWindowsAsync(LabyrinthDb db, Guid boardId, BoardDocument doc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(doc);
        var wanted = doc.Windows.Where(w => w.Kind == WindowRules.Plugin && w.Plugin is not null)
            .ToDictionary(w => w.Id, w => w.Plugin!, StringComparer.Ordinal);
        foreach (var row in await db.CardWindows.Where(w => w.BoardId == boardId).ToListAsync(ct))
        {
            if (!wanted.Remove(row.WindowId, out var plugin))
            {
                db.CardWindows.Remove(row);
                continue;
            }

            row.PluginId = plugin.PluginId;
            row.Version = plugin.Version;
            row.TypeId = plugin.TypeID;
        }

        foreach (var (windowId, plugin) in wanted)
        {
            db.CardWindows.Add(new CardWindowEntity { BoardId = boardId, WindowId = windowId, PluginId = plugin.PluginId, Version = plugin.Version, TypeId = plugin.TypeID });
        }
    }

    /// <summary>
    /// Stores <paramref name="doc"/> as the board's next version (and its card index when windows
    /// changed); false when another write to the board came first (its Version concurrency token).
    /// </summary>
    private static async Task<bool> TrySaveAsync(LabyrinthDb db, TimeProvider clock, BoardEntity board, BoardDocument doc, bool windowsChanged, CancellationToken ct)
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
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    private static async Task<Results<Ok<BoardDto>, ProblemHttpResult, ValidationProblem>> CommitAsync(
        HttpContext http, LabyrinthDb db, TimeProvider clock, BoardEntity board, BoardDocument doc, CancellationToken ct, bool windowsChanged = true)
    {
        if (!await TrySaveAsync(db, clock, board, doc, windowsChanged, ct))
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
