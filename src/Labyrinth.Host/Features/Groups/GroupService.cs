using Labyrinth.Core.Errors;
using Labyrinth.Core.Rollouts;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Groups;

/// <summary>
/// Creates and deletes groups and changes their members. Each change is audited in the same
/// SaveChanges, refreshes <see cref="PluginAccess"/> at once and tells every browser to refetch
/// its plugins (a new member sees a group's plugins appear without a reload; a removed one loses them).
/// </summary>
internal sealed class GroupService(LabyrinthDb db, AuditLog audit, GovernanceGate gate, PluginAccess access, PluginEvents events, Bus.BusRelay bus, TimeProvider clock)
{
    public async Task<GroupDto[]> ListAsync(CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().OrderBy(g => g.NormalizedName).ToListAsync(ct);
        var members = await (from m in db.GroupMembers.AsNoTracking()
                             join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                             select new { m.GroupId, u.Id, u.UserName }).ToListAsync(ct);
        var availability = await (from a in db.PluginAvailability.AsNoTracking()
                                  join p in db.Plugins.AsNoTracking() on a.PluginId equals p.Id
                                  where p.AvailabilityRestricted
                                  select a).ToListAsync(ct);
        return groups.Select(g => new GroupDto(
                g.Id,
                g.Name,
                DateTime.SpecifyKind(g.CreatedAt, DateTimeKind.Utc),
                members.Where(m => m.GroupId == g.Id).OrderBy(m => m.UserName, StringComparer.OrdinalIgnoreCase).Select(m => new GroupMemberDto(m.Id, m.UserName)).ToArray(),
                availability.Where(a => a.GroupId == g.Id).Select(a => a.PluginId).Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
    }

    public async Task<GroupDto?> FindAsync(Guid id, CancellationToken ct) => (await ListAsync(ct)).FirstOrDefault(g => g.Id == id);

    public Task<Outcome<GroupDto>> CreateAsync(string? name, string actor, CancellationToken ct) => gate.RunAsync<Outcome<GroupDto>>(async () =>
    {
        if (GroupRules.CheckName(name) is { } problem)
        {
            return Refusal.Invalid(ErrorCodes.GroupInvalidName, problem);
        }

        var trimmed = name!.Trim();
        var normalized = GroupRules.Normalize(trimmed);
        // The gate serializes this instance only: the count and the insert it allows share one
        // transaction under the limit's lock, so instances creating groups at once take turns.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TransactionLocks.TakeAsync(db, TransactionLock.CountLimit, "groups", ct);
        if (await db.Groups.AnyAsync(g => g.NormalizedName == normalized, ct))
        {
            return Refusal.Conflict(ErrorCodes.GroupNameTaken, $"There is already a group called \"{trimmed}\".");
        }

        if (await db.Groups.CountAsync(ct) >= GroupRules.MaxGroups)
        {
            return Refusal.Conflict(ErrorCodes.GroupTooMany, $"A host holds at most {GroupRules.MaxGroups} groups.");
        }

        var group = new GroupEntity { Id = Guid.NewGuid(), Name = trimmed, NormalizedName = normalized, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Groups.Add(group);
        await audit.AppendAsync(actor, RolloutAuditActions.GroupCreate, null, new { groupId = group.Id, name = trimmed }, ct);
        await tx.CommitAsync(ct);
        return (await FindAsync(group.Id, ct))!;
    });

    public Task<Outcome<bool>> DeleteAsync(Guid id, string actor, CancellationToken ct) => gate.RunAsync<Outcome<bool>>(async () =>
    {
        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return NotFound();
        }

        // A plugin limited to this group alone stays limited, now to nobody: deleting a group
        // must never make its plugins available to everyone.
        var plugins = await db.PluginAvailability.Where(a => a.GroupId == id).Select(a => a.PluginId).ToListAsync(ct);
        var memberCount = await db.GroupMembers.CountAsync(m => m.GroupId == id, ct);
        db.PluginAvailability.RemoveRange(db.PluginAvailability.Where(a => a.GroupId == id));
        db.GroupMembers.RemoveRange(db.GroupMembers.Where(m => m.GroupId == id));
        db.Groups.Remove(group);
        await audit.AppendAsync(actor, RolloutAuditActions.GroupDelete, null, new { groupId = id, name = group.Name, members = memberCount, plugins }, ct);
        await ChangedAsync(ct);
        return true;
    });

    public Task<Outcome<GroupDto>> AddMemberAsync(Guid id, Guid? userId, string actor, CancellationToken ct) => gate.RunAsync<Outcome<GroupDto>>(async () =>
    {
        var group = await db.Groups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return NotFound();
        }

        var user = userId is { } uid ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == uid, ct) : null;
        if (user is null)
        {
            return Refusal.Invalid(ErrorCodes.GroupUserNotFound,
                userId is null ? "Name the person to add: { \"userId\": \"…\" }." : "There is no user with that id.");
        }

        if (!await db.GroupMembers.AnyAsync(m => m.GroupId == id && m.UserId == user.Id, ct))
        {
            db.GroupMembers.Add(new GroupMemberEntity { GroupId = id, UserId = user.Id, AddedAt = clock.GetUtcNow().UtcDateTime });
            await audit.AppendAsync(actor, RolloutAuditActions.GroupMemberAdd, null, new { groupId = id, name = group.Name, userId = user.Id, userName = user.UserName }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    });

    public Task<Outcome<GroupDto>> RemoveMemberAsync(Guid id, Guid userId, string actor, CancellationToken ct) => gate.RunAsync<Outcome<GroupDto>>(async () =>
    {
        var group = await db.Groups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return NotFound();
        }

        var member = await db.GroupMembers.SingleOrDefaultAsync(m => m.GroupId == id && m.UserId == userId, ct);
        if (member is not null)
        {
            var userName = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.UserName).SingleOrDefaultAsync(ct);
            db.GroupMembers.Remove(member);
            await audit.AppendAsync(actor, RolloutAuditActions.GroupMemberRemove, null, new { groupId = id, name = group.Name, userId, userName }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    });

    public static Refusal NotFound() =>
        Refusal.NotFound(ErrorCodes.GroupNotFound, "There is no such group.");

    private async Task ChangedAsync(CancellationToken ct)
    {
        await access.ReloadAsync(ct);
        // Someone who left a plugin's group keeps none of its members on their bus.
        await bus.EvictStoppedAsync();
        await events.ChangedAsync();
    }

}
