namespace Labyrinth.Host.Features.Auth;

internal sealed record UserDto(Guid Id, string UserName, string Role);

internal sealed record SetupStatusDto(bool NeedsSetup);

internal sealed record SetupRequest(string? Token, string? UserName, string? Password);

internal sealed record LoginRequest(string? UserName, string? Password);

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

internal sealed record PasswordRuleDto(int MinLength, int MaxLength);

/// <summary>GET /api/auth/session: always 200, so asking "who am I" never logs a failed request.</summary>
internal sealed record SessionDto(bool Authenticated, UserDto? User, bool NeedsSetup, PasswordRuleDto PasswordRule);

/// <summary>The audit actions of accounts (the catalogue: <see cref="Audit.AuditActions.All"/>).</summary>
[Audit.AuditActionCatalogue]
internal static class UserAuditActions
{
    public const string Create = "user.create";
    public const string RoleChange = "user.role_change";
    public const string Disable = "user.disable";
    public const string Enable = "user.enable";
    public const string PasswordReset = "user.password_reset";
    public const string PasswordChange = "user.password_change";
    public const string Delete = "user.delete";
}

internal static class Roles
{
    public const string Admin = "admin";
    public const string Member = "member";

    public static bool IsKnown(string? role) => role is Admin or Member;
}
