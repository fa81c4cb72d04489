using System.Text.RegularExpressions;

namespace Labyrinth.Host.Features.Auth;

internal static partial class AccountRules
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 256;

    [GeneratedRegex("^[A-Za-z0-9._-]{3,64}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex UserNamePattern();

    public static Dictionary<string, string[]> Check(string? userName, string? password)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (userName is null || !UserNamePattern().IsMatch(userName))
        {
            errors["userName"] = ["A user name is 3 to 64 letters, digits, dots, dashes or underscores."];
        }

        if (CheckPassword(password) is { } problem)
        {
            errors["password"] = [problem];
        }

        return errors;
    }

    /// <summary>The password rule in one place: null when it holds, else the sentence to show.</summary>
    public static string? CheckPassword(string? password) =>
        password is null || password.Length < MinPasswordLength ? $"A password needs at least {MinPasswordLength} characters."
        : password.Length > MaxPasswordLength ? $"A password has at most {MaxPasswordLength} characters."
        : null;

    public static string Normalize(string userName) => userName.ToUpperInvariant();
}
