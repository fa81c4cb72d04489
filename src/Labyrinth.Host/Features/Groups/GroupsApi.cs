using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Governance;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Groups;

/// <summary>Groups of people (docs/api.md, "Groups"): what plugin availability and rollouts are aimed at. Admins only.</summary>
internal static class GroupsApi
{
    public static IServiceCollection AddGroups(this IServiceCollection services)
    {
        services.AddScoped<GroupService>();
        return services;
    }

    public static IEndpointRouteBuilder MapGroups(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/admin/groups").WithTags("Groups").RequireAuthorization(AuthApi.AdminPolicy);
        groups.MapGet("/", async (GroupService g, CancellationToken ct) => TypedResults.Ok(await g.ListAsync(ct)));
        groups.MapPost("/", async Task<Results<Created<GroupDto>, ProblemHttpResult>> (CreateGroupRequest body, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.CreateAsync(body.Name, GovernanceApi.Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.Created($"/api/admin/groups/{outcome.Value!.Id}", outcome.Value);
        });
        groups.MapGet("/{groupId:guid}", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, GroupService g, CancellationToken ct) =>
            await g.FindAsync(groupId, ct) is { } group ? TypedResults.Ok(group) : GroupService.NotFound());
        groups.MapDelete("/{groupId:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid groupId, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.DeleteAsync(groupId, GovernanceApi.Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.NoContent();
        });
        groups.MapPost("/{groupId:guid}/members", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, AddMemberRequest body, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.AddMemberAsync(groupId, body.UserId, GovernanceApi.Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.Ok(outcome.Value!);
        });
        groups.MapDelete("/{groupId:guid}/members/{userId:guid}", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, Guid userId, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.RemoveMemberAsync(groupId, userId, GovernanceApi.Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.Ok(outcome.Value!);
        });
        return app;
    }
}
