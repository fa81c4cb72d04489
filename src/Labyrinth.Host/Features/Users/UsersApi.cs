using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Users;

/// <summary>An account as the admin's user list shows it.</summary>
internal sealed record AdminUserDto(Guid Id, string UserName, string Role, DateTime CreatedAt, bool Disabled, int Boards, int Assets);

internal sealed record CreateUserRequest(string? UserName, string? Password, string? Role);

/// <summary>PATCH body: only the fields present change.</summary>
internal sealed record UpdateUserRequest(string? Role, bool? Disabled);

internal sealed record ResetPasswordRequest(string? Password);

/// <summary>
/// Account administration (/api/admin/users). Every change is audited; no change may leave the
/// host without an enabled administrator (409 <c>user.last_admin</c>). Sessions and tokens of a
/// disabled or deleted account stop on their next request (SessionValidation, the token handler).
/// </summary>
internal static class UsersApi
{
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddScoped<UserRemoval>();
        return services;
    }

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/admin/users").WithTags("Users").RequireAuthorization(AuthApi.AdminPolicy);
        users.MapGet("/", List);
        users.MapPost("/", Create);
        users.MapPatch("/{id:guid}", Update);
        users.MapPost("/{id:guid}/password", ResetPassword);
        users.MapDelete("/{id:guid}", Delete);
        return app;
    }

    private static async Task<Ok<AdminUserDto[]>> List(LabyrinthDb db, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var boards = await db.Boards.GroupBy(b => b.OwnerId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var assets = await db.Assets.GroupBy(a => a.OwnerId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return TypedResults.Ok(users.Select(u => ToDto(u, boards.GetValueOrDefault(u.Id), assets.GetValueOrDefault(u.Id))).ToArray());
    }

    private static async Task<Results<Created<AdminUserDto>, ProblemHttpResult, ValidationProblem>> Create(
        CreateUserRequest request, AccountService accounts, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        var errors = AccountRules.Check(request.UserName, request.Password);
        var role = request.Role ?? Roles.Member;
        if (!Roles.IsKnown(role))
        {
            errors["role"] = ["The role must be \"admin\" or \"member\"."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The account details are not valid.", errors);
        }

        if (await accounts.ExistsAsync(request.UserName!, ct))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.UserExists, $"A user named \"{request.UserName}\" already exists.");
        }

        var user = await accounts.CreateAsync(request.UserName!, request.Password!, role, ct);
        await audit.AppendAsync(http.Actor(), UserAuditActions.Create, null, new { userId = user.Id, userName = user.UserName, role }, ct);
        return TypedResults.Created($"/api/admin/users/{user.Id}", ToDto(user, 0, 0));
    }

    private static async Task<Results<Ok<AdminUserDto>, ProblemHttpResult, ValidationProblem>> Update(
        Guid id, UpdateUserRequest request, LabyrinthDb db, AuditLog audit, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        if (request.Role is not null && !Roles.IsKnown(request.Role))
        {
            return Problems.Validation("The role is not valid.", "role", "The role must be \"admin\" or \"member\".");
        }

        // One write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the admins' lock taken by the
        // check), so two admins demoting each other at the same moment cannot both pass the last-admin check.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return UserNotFound();
        }

        var role = request.Role ?? user.Role;
        var disabled = request.Disabled ?? user.DisabledAt is not null;
        var losesAdmin = IsActiveAdmin(user) && (role != Roles.Admin || disabled);
        if (losesAdmin && !await OtherActiveAdminExistsAsync(db, id, ct))
        {
            return LastAdmin(role != Roles.Admin ? "demoted" : "disabled");
        }

        var actor = http.Actor();
        if (role != user.Role)
        {
            var from = user.Role;
            user.Role = role;
            await audit.AppendAsync(actor, UserAuditActions.RoleChange, null, new { userId = id, userName = user.UserName, from, to = role }, ct);
        }

        if (disabled != (user.DisabledAt is not null))
        {
            user.DisabledAt = disabled ? clock.GetUtcNow().UtcDateTime : null;
            await audit.AppendAsync(actor, disabled ? UserAuditActions.Disable : UserAuditActions.Enable, null, new { userId = id, userName = user.UserName }, ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(ToDto(user, await db.Boards.CountAsync(b => b.OwnerId == id, ct), await db.Assets.CountAsync(a => a.OwnerId == id, ct)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ResetPassword(
        Guid id, ResetPasswordRequest request, LabyrinthDb db, AccountService accounts, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        if (AccountRules.CheckPassword(request.Password) is { } problem)
        {
            return Problems.Validation("The new password is not valid.", "password", problem);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return UserNotFound();
        }

        // A reset usually means the account is not safe: its sessions end (new stamp); tokens stay
        // (they are revoked one by one, or all at once by disabling the account).
        accounts.SetPassword(user, request.Password!);
        await audit.AppendAsync(http.Actor(), UserAuditActions.PasswordReset, null, new { userId = id, userName = user.UserName }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, UserRemoval removal, HttpContext http, CancellationToken ct) =>
        await removal.RemoveAsync(id, http.Actor(), ct) switch
        {
            UserRemovalOutcome.NotFound => UserNotFound(),
            UserRemovalOutcome.LastAdmin => LastAdmin("deleted"),
            _ => TypedResults.NoContent(),
        };

    public static bool IsActiveAdmin(UserEntity user) => user.Role == Roles.Admin && user.DisabledAt is null;

    /// <summary>
    /// Whether an active admin other than <paramref name="id"/> remains; call inside the transaction
    /// that then demotes, disables or removes <paramref name="id"/>. It takes the admins' lock first,
    /// so two such changes on different instances cannot both see the other admin still active.
    /// </summary>
    public static async Task<bool> OtherActiveAdminExistsAsync(LabyrinthDb db, Guid id, CancellationToken ct)
    {
        await TransactionLocks.TakeAsync(db, TransactionLock.Admins, ct);
        return await db.Users.AnyAsync(u => u.Id != id && u.Role == Roles.Admin && u.DisabledAt == null, ct);
    }

    private static ProblemHttpResult UserNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.UserNotFound, "There is no user with that id.");

    private static ProblemHttpResult LastAdmin(string what) =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.UserLastAdmin,
            $"This is the only enabled administrator; it cannot be {what}. Make another account an administrator first.");

    private static AdminUserDto ToDto(UserEntity u, int boards, int assets) =>
        new(u.Id, u.UserName, u.Role, u.CreatedAt, u.DisabledAt is not null, boards, assets);

}
