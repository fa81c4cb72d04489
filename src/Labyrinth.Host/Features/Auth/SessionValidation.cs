using System.Security.Claims;
using Labyrinth.Host.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// A cookie is a signed copy of who someone was when they signed in. Every request checks it
/// against the account as it is now, so a deleted or disabled account, or a password reset, ends
/// its sessions on their next request, and a role change applies at once. The account comes from
/// <see cref="SessionCache"/> while the account epoch says nothing changed, from the database
/// (one primary-key read) otherwise.
/// </summary>
internal static class SessionValidation
{
    /// <summary>The account's <see cref="UserEntity.SessionStamp"/> when the cookie was issued.</summary>
    public const string StampClaim = "lab_stamp";

    /// <summary>This sign-in's own id, so signing out can end this session (and only this one) everywhere.</summary>
    public const string SessionIdClaim = "lab_sid";

    /// <summary>How long a cookie lives without use (sliding); a sign-out is remembered that long.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    // Compiled once: a cache miss runs it, and translating the LINQ each time (parameter
    // extraction, cache lookup) cost about as much as the read itself.
    private static readonly Func<LabyrinthDb, Guid, CancellationToken, Task<SessionAccount?>> FindAccount =
        EF.CompileAsyncQuery((LabyrinthDb db, Guid id, CancellationToken ct) =>
            db.Users.AsNoTracking()
                .Where(u => u.Id == id)
                .Select(u => new SessionAccount(u.UserName, u.Role, u.DisabledAt, u.SessionStamp))
                .SingleOrDefault());

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal;
        var user = await CurrentAccountAsync(principal, context.HttpContext.RequestServices, context.HttpContext, context.HttpContext.RequestAborted);
        if (principal is null || user is null)
        {
            await RejectAsync(context);
            return;
        }

        var id = Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var sessionId = principal.FindFirstValue(SessionIdClaim);
        if (principal.FindFirstValue(ClaimTypes.Role) != user.Role || principal.Identity?.Name != user.UserName)
        {
            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, id.ToString()),
                    new Claim(ClaimTypes.Name, user.UserName),
                    new Claim(ClaimTypes.Role, user.Role),
                    new Claim(StampClaim, user.SessionStamp),
                    .. sessionId is null ? Array.Empty<Claim>() : [new Claim(SessionIdClaim, sessionId)],
                ],
                CookieAuthenticationDefaults.AuthenticationScheme);
            context.ReplacePrincipal(new ClaimsPrincipal(identity));
            context.ShouldRenew = true;
        }
    }

    /// <summary>
    /// True while the cookie session behind <paramref name="principal"/> still holds with the
    /// same role and name: for a hub connection, which authenticated once and may stay open for
    /// days (<see cref="HubSessions"/>).
    /// </summary>
    public static async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return await CurrentAccountAsync(principal, services, null, ct) is { } user
               && principal.FindFirstValue(ClaimTypes.Role) == user.Role && principal.Identity?.Name == user.UserName;
    }

    /// <summary>The account behind <paramref name="principal"/> as it is now; null when its session has ended.</summary>
    /// <param name="http">The request being authenticated, whose one epoch reading is shared with its card lookup; null outside a request.</param>
    private static async Task<SessionAccount?> CurrentAccountAsync(ClaimsPrincipal? principal, IServiceProvider services, HttpContext? http, CancellationToken ct)
    {
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            return null;
        }

        var cache = services.GetRequiredService<SessionCache>();
        // Read before the account: a change committed after this read moves the epoch past it,
        // so an account loaded around that change is never found again under a newer epoch.
        // A request's one reading: the card lookup later in the request compares against it too.
        var epochs = services.GetRequiredService<DataEpochs>();
        var epoch = (http is null ? await epochs.ReadAsync(ct) : await epochs.ForRequestAsync(http, ct))?.Accounts;
        var session = epoch is { } current ? cache.Find(id, current) : null;
        if (session is null)
        {
            // Rented from the pool only on a miss: renting was a large share of a hit's cost.
            var db = services.GetRequiredService<LabyrinthDb>();
            var account = await FindAccount(db, id, ct);
            if (account is not null)
            {
                var userId = id.ToString();
                var revoked = await db.Database
                    .SqlQuery<string>($"SELECT \"SessionId\" AS \"Value\" FROM \"RevokedSessions\" WHERE \"UserId\" = {userId}")
                    .ToArrayAsync(ct);
                session = new CachedSession(account, revoked);
                // Enabled accounts only: a disabled one is refused below and read again next time.
                if (epoch is { } read && account.DisabledAt is null)
                {
                    cache.Store(id, read, session);
                }
            }
        }

        var user = session?.Account;
        // Cookies issued before stamps existed carry none; the migration gave those accounts "".
        var stamp = principal.FindFirstValue(StampClaim) ?? "";
        var sessionId = principal.FindFirstValue(SessionIdClaim);
        if (user is null || user.DisabledAt is not null || !string.Equals(stamp, user.SessionStamp, StringComparison.Ordinal)
            || (sessionId is not null && session!.RevokedSessions.Contains(sessionId, StringComparer.Ordinal)))
        {
            return null;
        }

        return user;
    }

    /// <summary>
    /// Ends the signed-in cookie session of <paramref name="http"/> on every instance: its id is
    /// recorded (which moves the account epoch), then the cookie is removed from the browser.
    /// </summary>
    public static async Task SignOutAsync(HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var user = http.User;
        if (user.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme
            && user.FindFirstValue(SessionIdClaim) is { } sessionId
            && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            var now = clock.GetUtcNow();
            var userId = id.ToString();
            // Kept for the longest a cookie issued before now can live; older rows refuse nothing any more.
            var expires = (now + Lifetime).ToUnixTimeSeconds();
            var expired = now.ToUnixTimeSeconds();
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO \"RevokedSessions\" (\"SessionId\", \"UserId\", \"ExpiresAt\") VALUES ({sessionId}, {userId}, {expires}) ON CONFLICT DO NOTHING", ct);
            await db.Database.ExecuteSqlAsync($"DELETE FROM \"RevokedSessions\" WHERE \"ExpiresAt\" < {expired}", ct);
        }

        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
