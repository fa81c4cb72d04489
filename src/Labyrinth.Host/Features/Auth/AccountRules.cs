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

        if (password is null || password.Length < MinPasswordLength)
        {
            errors["password"] = [$"A password needs at least {MinPasswordLength} characters."];
        }
        else if (password.Length > MaxPasswordLength)
        {
            errors["password"] = [$"A password has at most {MaxPasswordLength} characters."];
        }

        return errors;
    }

    public static string Normalize(string userName) => userName.ToUpperInvariant();
}
