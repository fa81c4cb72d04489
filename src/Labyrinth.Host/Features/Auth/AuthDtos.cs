namespace Labyrinth.Host.Features.Auth;

internal sealed record UserDto(Guid Id, string UserName, string Role);

internal sealed record SetupStatusDto(bool NeedsSetup);

internal sealed record SetupRequest(string? Token, string? UserName, string? Password);

internal sealed record LoginRequest(string? UserName, string? Password);

internal sealed record CreateUserRequest(string? UserName, string? Password, string? Role);

internal static class Roles
{
    public const string Admin = "admin";
    public const string Member = "member";

    public static bool IsKnown(string? role) => role is Admin or Member;
}
