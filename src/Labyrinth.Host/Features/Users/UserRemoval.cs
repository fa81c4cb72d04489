using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Boards;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Users;

internal enum UserRemovalOutcome
{
    Removed,
    NotFound,
    LastAdmin,
}

/// <summary>
/// Deleting an account deletes everything that is only theirs: boards (with their cards' data,
/// snapshots and grants, and their ink), uploaded files, personal keys, access tokens, preferences and network
/// log. Nothing of it is handed to anyone else — boards are private, and their cards may hold
/// what the person typed. The audit log keeps its entries (they name the user, never the data).
/// </summary>
internal sealed class UserRemoval(LabyrinthDb db, CardGrants cards, CardGrantSignals signals, BlobCollector blobs, AuditLog audit)
{
    public async Task<UserRemovalOutcome> RemoveAsync(Guid id, string actor, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return UserRemovalOutcome.NotFound;
        }

        if (UsersApi.IsActiveAdmin(user) && !await UsersApi.OtherActiveAdminExistsAsync(db, id, ct))
        {
            return UserRemovalOutcome.LastAdmin;
        }

        var boardIds = await db.Boards.Where(b => b.OwnerId == id).Select(b => b.Id).ToListAsync(ct);
        foreach (var boardId in boardIds)
        {
            await BoardsApi.DeleteBoardDataAsync(db, cards, boardId, ct);
        }

        await db.Boards.Where(b => b.OwnerId == id).ExecuteDeleteAsync(ct);
        var owned = await db.Assets.Where(a => a.OwnerId == id).Select(a => new { a.Id, a.Sha256 }).ToListAsync(ct);
        var assetIds = owned.Select(a => a.Id).ToList();
        await db.AssetGrants.Where(g => g.UserId == id || assetIds.Contains(g.AssetId)).ExecuteDeleteAsync(ct);
        await db.Assets.Where(a => a.OwnerId == id).ExecuteDeleteAsync(ct);
        var secrets = await db.Secrets.Where(s => s.OwnerId == id).ExecuteDeleteAsync(ct);
        var tokens = await db.PersonalAccessTokens.Where(t => t.UserId == id).ExecuteDeleteAsync(ct);
        await db.UserPreferences.Where(p => p.UserId == id).ExecuteDeleteAsync(ct);
        await db.NetworkLog.Where(l => l.UserId == id).ExecuteDeleteAsync(ct);
        await db.CardGrants.Where(g => g.UserId == id).ExecuteDeleteAsync(ct);
        db.Users.Remove(user);
        await audit.AppendAsync(actor, UserAuditActions.Delete, null, new
        {
            userId = id,
            userName = user.UserName,
            role = user.Role,
            boardsDeleted = boardIds.Count,
            assetsDeleted = owned.Count,
            personalKeysDeleted = secrets,
            tokensRevoked = tokens,
        }, ct);
        await tx.CommitAsync(ct);

        // Their files go unless someone else uploaded the same bytes (decided under the blob lock).
        await blobs.CollectAsync(owned.Select(a => a.Sha256), BlobCollector.ReasonUserDeleted, CancellationToken.None);

        // Their cards' running broker requests and asset reads stop now, not when they end.
        foreach (var boardId in boardIds)
        {
            signals.RevokeBoard(boardId);
        }

        return UserRemovalOutcome.Removed;
    }
}
