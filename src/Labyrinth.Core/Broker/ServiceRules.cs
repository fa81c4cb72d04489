using System.Text.RegularExpressions;

namespace Labyrinth.Core.Broker;

/// <summary>An admin's description of a network service, as submitted (fields may be missing).</summary>
public sealed record ServiceDefinition(
    string? Id,
    string? DisplayName,
    string? BaseUrl,
    IReadOnlyList<string>? Methods,
    IReadOnlyList<string>? PathPrefixes,
    string? SecretIn,
    string? SecretName,
    string? SecretTemplate,
    int TimeoutSeconds,
    long MaxRequestBytes,
    long MaxResponseBytes,
    int RatePerMinute,
    int Burst);

/// <summary>Validation of service definitions and secret values; errors are keyed by the field a person fixes.</summary>
public static partial class ServiceRules
{
    public const string Placeholder = "{secret}";
    public const int MaxSecretLength = 8192;
    public const int MaxSecretNameLength = 100;
    public const long MaxRequestBytesLimit = 16L * 1024 * 1024;
    public const long MaxResponseBytesLimit = 256L * 1024 * 1024;

    public static readonly IReadOnlyList<string> KnownMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The burst a service gets when none is given: one second's worth of its rate (at least 1).</summary>
    public static int DefaultBurst(int ratePerMinute) => Math.Max(1, (int)Math.Ceiling(ratePerMinute / 60.0));

    /// <summary>Methods the resilience pipeline may treat as safe to repeat; the broker never retries anything else.</summary>
    public static bool IsIdempotent(string method) => method is "GET" or "PUT" or "DELETE";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static Dictionary<string, string[]> Validate(ServiceDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (!IsValidId(d.Id))
        {
            Add("id", "The id must be 1–64 characters of a–z, 0–9 and \"-\", starting with a letter or digit (it becomes the capability network:<id>).");
        }

        if (string.IsNullOrWhiteSpace(d.DisplayName) || d.DisplayName.Length > 100 || d.DisplayName.Any(char.IsControl))
        {
            Add("displayName", "The display name must be 1–100 characters without control characters.");
        }

        if (CheckBaseUrl(d.BaseUrl) is { } baseError)
        {
            Add("baseUrl", baseError);
        }

        if (d.Methods is null || d.Methods.Count == 0 || d.Methods.Any(m => !KnownMethods.Contains(m, StringComparer.Ordinal)))
        {
            Add("methods", "Choose one or more of GET, POST, PUT, PATCH, DELETE (upper case).");
        }

        if (d.PathPrefixes is null || d.PathPrefixes.Count == 0 || d.PathPrefixes.Count > 50)
        {
            Add("pathPrefixes", "List 1–50 path prefixes such as \"/chat/completions\".");
        }
        else
        {
            foreach (var prefix in d.PathPrefixes)
            {
                if (prefix != "/" && BrokerPath.Check(prefix) is { } why)
                {
                    Add("pathPrefixes", $"\"{Shorten(prefix)}\": {why}");
                }
            }
        }

        if (d.SecretIn is not ("header" or "query"))
        {
            Add("secret.in", "Say where the secret goes: \"header\" or \"query\".");
        }

        if (!BrokerHeaders.IsToken(d.SecretName))
        {
            Add("secret.name", "The header or parameter name must be a valid HTTP token, such as Authorization.");
        }
        else if (d.SecretIn == "header" && IsForbiddenSecretHeader(d.SecretName!))
        {
            Add("secret.name", "This header is managed by the HTTP client and cannot carry the secret.");
        }

        if (d.SecretTemplate is null || !d.SecretTemplate.Contains(Placeholder, StringComparison.Ordinal) || d.SecretTemplate.Length > 200 ||
            d.SecretTemplate.Any(char.IsControl))
        {
            Add("secret.template", "The template must contain {secret}, e.g. \"Bearer {secret}\" (at most 200 characters, no control characters).");
        }

        if (d.TimeoutSeconds is < 1 or > 600)
        {
            Add("timeoutSeconds", "The timeout must be between 1 and 600 seconds.");
        }

        if (d.MaxRequestBytes < 0 || d.MaxRequestBytes > MaxRequestBytesLimit)
        {
            Add("maxRequestBytes", "The request cap must be between 0 and 16 MiB.");
        }

        if (d.MaxResponseBytes < 1 || d.MaxResponseBytes > MaxResponseBytesLimit)
        {
            Add("maxResponseBytes", "The response cap must be between 1 byte and 256 MiB.");
        }

        if (d.RatePerMinute is < 1 or > 100_000)
        {
            Add("ratePerMinute", "The rate limit must be between 1 and 100000 requests per minute per card.");
        }
        else if (d.Burst < 1 || d.Burst > d.RatePerMinute)
        {
            Add("burst", $"The burst must be between 1 and the rate per minute ({d.RatePerMinute}): how many requests a card may send at once before the sustained rate applies.");
        }

        return errors;
    }

    /// <summary>Absolute http(s), a host, no user info, query or fragment.</summary>
    public static string? CheckBaseUrl(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 2000 || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return "The base URL must be an absolute http:// or https:// URL.";
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            return "The base URL must use http or https.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || value.Contains('@', StringComparison.Ordinal))
        {
            return "The base URL must not contain user info (user:password@); store credentials as the secret.";
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal))
        {
            return "The base URL must not have a query or fragment.";
        }

        if (string.IsNullOrEmpty(uri.Host) || value.Any(char.IsControl) || value.Contains('\\', StringComparison.Ordinal))
        {
            return "The base URL must name a host.";
        }

        if (AddressRules.IsMetadataHost(uri.IdnHost))
        {
            return "Cloud metadata hosts cannot be services.";
        }

        return null;
    }

    /// <summary>Returns null when a secret value is acceptable: 1–8192 characters, no control characters (it goes into a header).</summary>
    public static string? CheckSecretValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "The secret value is empty.";
        }

        if (value.Length > MaxSecretLength)
        {
            return $"The secret value is longer than {MaxSecretLength} characters.";
        }

        if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            return "The secret value contains a line break or control character.";
        }

        return null;
    }

    public static string? CheckSecretName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxSecretNameLength || name.Any(char.IsControl)
            ? $"The name must be 1–{MaxSecretNameLength} characters without control characters."
            : null;

    /// <summary>The last four characters shown in lists (fewer when the secret is shorter than 12, so short secrets are not mostly revealed).</summary>
    public static string Last4(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length >= 12 ? value[^4..] : value.Length >= 8 ? value[^2..] : "";
    }

    public static string Inject(string template, string secret)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.Replace(Placeholder, secret, StringComparison.Ordinal);
    }

    private static bool IsForbiddenSecretHeader(string name) =>
        name.Equals("host", StringComparison.OrdinalIgnoreCase) || name.Equals("content-length", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("connection", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("content-type", StringComparison.OrdinalIgnoreCase) || name.Equals("cookie", StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
