using System.Security.Claims;
using System.Security.Cryptography;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Auth;

/// <summary>Local accounts: Identity's password hasher (PBKDF2, versioned) without the Identity schema.</summary>
internal sealed partial class AccountService(LabyrinthDb db, IPasswordHasher<UserEntity> hasher, TimeProvider clock, ILogger<AccountService> logger)
{
    // Verifying against a fixed hash when the user does not exist keeps response time from revealing which names exist.
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<UserEntity>().HashPassword(null!, "not-a-real-password-0"));

    public Task<bool> AnyUsersAsync(CancellationToken ct) => db.Users.AnyAsync(ct);

    public async Task<UserEntity?> FindAsync(Guid id, CancellationToken ct) => await db.Users.FindAsync([id], ct);

    public async Task<UserEntity> CreateAsync(string userName, string password, string role, CancellationToken ct)
    {
        var user = new UserEntity
        {
            Id = Guid.NewGuid(),
            UserName = userName,
            NormalizedUserName = AccountRules.Normalize(userName),
            PasswordHash = "",
            Role = role,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            SessionStamp = NewStamp(),
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        LogUserCreated(logger, user.UserName, role);
        return user;
    }

    public Task<bool> ExistsAsync(string userName, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.NormalizedUserName == AccountRules.Normalize(userName), ct);

    public async Task<UserEntity?> VerifyAsync(string userName, string password, CancellationToken ct)
    {
        var normalized = AccountRules.Normalize(userName);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        if (user is null)
        {
            hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            return null;
        }

        return await CheckPasswordAsync(user, password, ct) ? user : null;
    }

    /// <summary>Whether <paramref name="password"/> is the user's; upgrades an old hash format on success.</summary>
    public async Task<bool> CheckPasswordAsync(UserEntity user, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var result = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return false;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
            await db.SaveChangesAsync(ct);
        }

        return true;
    }

    /// <summary>
    /// Sets a new password and a new session stamp, so every session signed in with the old one
    /// ends on its next request (the caller signs the current one in again if it should stay).
    /// The caller saves.
    /// </summary>
    public void SetPassword(UserEntity user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.PasswordHash = hasher.HashPassword(user, password);
        user.SessionStamp = NewStamp();
    }

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static async Task SignInAsync(HttpContext context, UserEntity user)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(ClaimTypes.Role, user.Role),
                new Claim(SessionValidation.StampClaim, user.SessionStamp),
                new Claim(SessionValidation.SessionIdClaim, NewStamp()),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    public static UserDto ToDto(UserEntity user) => new(user.Id, user.UserName, user.Role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created user {UserName} with role {Role}")]
    private static partial void LogUserCreated(ILogger logger, string userName, string role);
}

internal static class ClaimsPrincipalExtensions
{
    public static Guid UserId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in."));
    }
}
