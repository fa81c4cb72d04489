namespace Labyrinth.Core.Broker;

/// <summary>
/// Which headers cross the broker. Requests: a card may set only content negotiation, a request id
/// and custom <c>x-</c>/<c>openai-</c> headers; any other header (cookies, auth, host, forwarding,
/// proxy and framing headers, method overrides, the secret's own header) refuses the whole request,
/// naming the header — never a silent drop, so a card author learns at once and the attempt is
/// logged. Responses: only the content type and length, the request id and rate-limit information
/// reach the card — never <c>Set-Cookie</c>, auth challenges or hop-by-hop headers.
/// </summary>
public static class BrokerHeaders
{
    public const int MaxHeaders = 32;
    public const int MaxValueLength = 4096;

    private static readonly HashSet<string> AllowedRequest = new(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "content-type", "accept-language", "x-request-id",
    };

    private const string CredentialsReason = "the host adds the service's credentials itself";
    private const string RoutingReason = "it would change where, or on whose behalf, the request appears to be made";
    private const string FramingReason = "the host's HTTP client manages the connection and the message framing";
    private const string MethodOverrideReason = "it could make the service run another method than the allowed one";
    private const string AccountReason = "which account a shared key bills and acts as is the admin's choice";
    private const string NotListedReason = "only accept, content-type, accept-language, x-request-id and custom x- or openai- headers are forwarded";

    // Names and name prefixes that are refused, with the reason given to the card author. Checked
    // before the custom-header rule, so "x-forwarded-for" is refused although it starts with "x-".
    private static readonly (string Prefix, bool Exact, string Reason)[] Refused =
    [
        ("authorization", true, CredentialsReason),
        ("proxy-", false, CredentialsReason),
        ("cookie", true, CredentialsReason),
        ("cookie2", true, CredentialsReason),
        ("x-api-key", false, CredentialsReason),
        ("x-auth", false, CredentialsReason),
        ("x-amz-", false, CredentialsReason),
        ("x-goog-", false, CredentialsReason),
        ("x-ms-", false, CredentialsReason),
        ("x-csrf", false, CredentialsReason),
        ("x-xsrf", false, CredentialsReason),
        ("x-labyrinth", false, CredentialsReason),
        ("x-access-token", false, CredentialsReason),
        ("x-session", false, CredentialsReason),
        ("x-user", false, CredentialsReason),
        ("x-token", false, CredentialsReason),
        ("host", true, RoutingReason),
        ("forwarded", true, RoutingReason),
        ("via", true, RoutingReason),
        ("origin", true, RoutingReason),
        ("referer", true, RoutingReason),
        ("x-forwarded-", false, RoutingReason),
        ("x-real-ip", false, RoutingReason),
        ("x-client-ip", false, RoutingReason),
        ("x-original-", false, RoutingReason),
        ("x-rewrite-url", false, RoutingReason),
        ("x-host", false, RoutingReason),
        ("x-proxy", false, RoutingReason),
        ("x-envoy-", false, RoutingReason),
        ("connection", true, FramingReason),
        ("keep-alive", true, FramingReason),
        ("transfer-encoding", true, FramingReason),
        ("te", true, FramingReason),
        ("trailer", true, FramingReason),
        ("upgrade", true, FramingReason),
        ("expect", true, FramingReason),
        ("content-length", true, FramingReason),
        ("content-encoding", true, FramingReason),
        ("http2-settings", true, FramingReason),
        ("x-http-method", false, MethodOverrideReason),
        ("x-method-override", false, MethodOverrideReason),
        ("openai-organization", true, AccountReason),
        ("openai-project", true, AccountReason),
        ("openai-beta-organization", true, AccountReason),
    ];

    private static readonly HashSet<string> AllowedResponse = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "x-request-id",
    };

    /// <summary>
    /// The headers to forward, or why the set was refused: a name or value that could split the
    /// request (CR/LF/NUL, a non-token name, a name given twice) is invalid; a header the broker does
    /// not forward is forbidden and named. <paramref name="secretHeader"/> is never taken from the card.
    /// </summary>
    public static HeaderFilterResult FilterRequest(IReadOnlyDictionary<string, string>? headers, string? secretHeader)
    {
        var kept = new List<KeyValuePair<string, string>>();
        if (headers is null)
        {
            return new HeaderFilterResult(kept, null);
        }

        if (headers.Count > MaxHeaders)
        {
            return new HeaderFilterResult(kept, $"At most {MaxHeaders} headers may be sent.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                return new HeaderFilterResult(kept, "A header name is not a valid HTTP token.");
            }

            if (!seen.Add(name))
            {
                return new HeaderFilterResult(kept, $"The header \"{name}\" is given more than once (header names are case-insensitive).");
            }

            if (value is null || value.Length > MaxValueLength || value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')))
            {
                return new HeaderFilterResult(kept, $"The value of header \"{name}\" contains a line break or control character, or is too long.");
            }

            var reason = string.Equals(name, secretHeader, StringComparison.OrdinalIgnoreCase) ? CredentialsReason : RefusalReason(name);
            if (reason is not null)
            {
                return new HeaderFilterResult(kept, $"The broker does not forward the header \"{name}\": {reason}. Remove it from the request.", name);
            }

            kept.Add(new(name.ToLowerInvariant(), value));
        }

        return new HeaderFilterResult(kept, null);
    }

    public static bool IsAllowedRequestHeader(string name) => RefusalReason(name) is null;

    /// <summary>Null when a card may send <paramref name="name"/>, else why the broker refuses it (a clause for a sentence).</summary>
    public static string? RefusalReason(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (AllowedRequest.Contains(name))
        {
            return null;
        }

        foreach (var (prefix, exact, reason) in Refused)
        {
            if (exact ? name.Equals(prefix, StringComparison.OrdinalIgnoreCase) : name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return reason;
            }
        }

        return name.StartsWith("x-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase)
            ? null
            : NotListedReason;
    }

    public static bool IsAllowedResponseHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return AllowedResponse.Contains(name) ||
               name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase) ||
               name.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The upstream answer's headers a card may see (lower-case names; multiple values joined by ", ").</summary>
    public static Dictionary<string, string> FilterResponse(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (!IsAllowedResponseHeader(name))
            {
                continue;
            }

            var value = string.Join(", ", values);
            if (value.Length <= MaxValueLength && !value.Any(char.IsControl))
            {
                kept[name.ToLowerInvariant()] = value;
            }
        }

        return kept;
    }

    /// <summary>RFC 9110 token: visible ASCII except separators.</summary>
    public static bool IsToken(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The request headers to forward, or why the set was refused (<see cref="Error"/>, a sentence).
/// <see cref="Forbidden"/> names the header when the refusal is a header the broker does not
/// forward (rather than a malformed one).
/// </summary>
public sealed record HeaderFilterResult(IReadOnlyList<KeyValuePair<string, string>> Headers, string? Error, string? Forbidden = null);
