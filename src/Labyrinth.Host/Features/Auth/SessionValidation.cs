using System.Security.Claims;
using Labyrinth.Host.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// A cookie is a signed copy of who someone was when they signed in. Every request checks it
/// against the account as it is now (one primary-key read), so a deleted or disabled account, or a
/// password reset, ends its sessions on their next request, and a role change applies at once.
/// </summary>
internal static class SessionValidation
{
    /// <summary>The account's <see cref="UserEntity.SessionStamp"/> when the cookie was issued.</summary>
    public const string StampClaim = "lab_stamp";

    // Compiled once: every authenticated request runs it, and translating the LINQ each time
    // (parameter extraction, cache lookup) cost about as much as the read itself.
    private static readonly Func<LabyrinthDb, Guid, CancellationToken, Task<SessionRow?>> FindAccount =
        EF.CompileAsyncQuery((LabyrinthDb db, Guid id, CancellationToken ct) =>
            db.Users.AsNoTracking()
                .Where(u => u.Id == id)
                .Select(u => new SessionRow(u.UserName, u.Role, u.DisabledAt, u.SessionStamp))
                .SingleOrDefault());

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal;
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            await RejectAsync(context);
            return;
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<LabyrinthDb>();
        var user = await FindAccount(db, id, context.HttpContext.RequestAborted);
        // Cookies issued before stamps existed carry none; the migration gave those accounts "".
        var stamp = principal.FindFirstValue(StampClaim) ?? "";
        if (user is null || user.DisabledAt is not null || !string.Equals(stamp, user.SessionStamp, StringComparison.Ordinal))
        {
            await RejectAsync(context);
            return;
        }

        if (principal.FindFirstValue(ClaimTypes.Role) != user.Role || principal.Identity?.Name != user.UserName)
        {
            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, id.ToString()),
                    new Claim(ClaimTypes.Name, user.UserName),
                    new Claim(ClaimTypes.Role, user.Role),
                    new Claim(StampClaim, user.SessionStamp),
                ],
                CookieAuthenticationDefaults.AuthenticationScheme);
            context.ReplacePrincipal(new ClaimsPrincipal(identity));
            context.ShouldRenew = true;
        }
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private sealed record SessionRow(string UserName, string Role, DateTime? DisabledAt, string SessionStamp);
}
