namespace Labyrinth.Host.Features.Groups;

internal sealed record GroupMemberDto(Guid UserId, string UserName);

/// <param name="Plugins">The plugins limited to this group (among others, possibly).</param>
internal sealed record GroupDto(Guid Id, string Name, DateTime CreatedAt, GroupMemberDto[] Members, string[] Plugins);

internal sealed record CreateGroupRequest(string? Name);

internal sealed record AddMemberRequest(Guid? UserId);
