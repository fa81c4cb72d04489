using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

using Labyrinth.Host.Features.Cluster;

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
        var groups = app.MapGroup("/api/admin/groups").WithTags("Groups").RequireAuthorization(AuthApi.AdminPolicy)
            .RequireClusterCoordination();
        groups.MapGet("/", async (GroupService g, CancellationToken ct) => TypedResults.Ok(await g.ListAsync(ct)));
        groups.MapPost("/", async Task<Results<Created<GroupDto>, ProblemHttpResult>> (CreateGroupRequest body, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.CreateAsync(body.Name, http.Actor(), ct);
            return outcome.Refusal is { } p ? p.ToProblem() : TypedResults.Created($"/api/admin/groups/{outcome.Value!.Id}", outcome.Value);
        });
        groups.MapGet("/{groupId:guid}", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, GroupService g, CancellationToken ct) =>
            await g.FindAsync(groupId, ct) is { } group ? TypedResults.Ok(group) : GroupService.NotFound().ToProblem());
        groups.MapDelete("/{groupId:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid groupId, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.DeleteAsync(groupId, http.Actor(), ct);
            return outcome.Refusal is { } p ? p.ToProblem() : TypedResults.NoContent();
        });
        groups.MapPost("/{groupId:guid}/members", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, AddMemberRequest body, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.AddMemberAsync(groupId, body.UserId, http.Actor(), ct);
            return outcome.Refusal is { } p ? p.ToProblem() : TypedResults.Ok(outcome.Value!);
        });
        groups.MapDelete("/{groupId:guid}/members/{userId:guid}", async Task<Results<Ok<GroupDto>, ProblemHttpResult>> (Guid groupId, Guid userId, GroupService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.RemoveMemberAsync(groupId, userId, http.Actor(), ct);
            return outcome.Refusal is { } p ? p.ToProblem() : TypedResults.Ok(outcome.Value!);
        });
        return app;
    }
}
