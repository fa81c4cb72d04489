namespace Labyrinth.Core.Broker;

/// <summary>
/// Which headers cross the broker. Requests: a card may set only content negotiation, a request id
/// and custom <c>x-</c>/<c>openai-</c> headers; everything else (cookies, auth, host, forwarding
/// and proxy headers, the secret's own header) is dropped silently. Responses: only the content
/// type and length, the request id and rate-limit information reach the card — never
/// <c>Set-Cookie</c>, auth challenges or hop-by-hop headers.
/// </summary>
public static class BrokerHeaders
{
    public const int MaxHeaders = 32;
    public const int MaxValueLength = 4096;

    private static readonly HashSet<string> AllowedRequest = new(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "content-type", "accept-language", "x-request-id",
    };

    // Custom x- headers that still carry identity, routing or credentials.
    private static readonly string[] DeniedPrefixes =
    [
        "x-forwarded-", "x-real-ip", "x-client-ip", "x-original-", "x-rewrite-url", "x-http-method", "x-host",
        "x-api-key", "x-auth", "x-amz-", "x-goog-", "x-ms-", "x-csrf", "x-xsrf", "x-labyrinth", "x-access-token", "x-session",
        "x-proxy", "x-envoy-", "x-user", "x-token",
        // Which account a shared key bills and acts as is the admin's choice, not the card's.
        "openai-organization", "openai-project", "openai-beta-organization",
    ];

    private static readonly HashSet<string> AllowedResponse = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "x-request-id",
    };

    /// <summary>
    /// The headers to forward, or an error when a name or value could split the request
    /// (CR/LF/NUL or a non-token name). <paramref name="secretHeader"/> is never taken from the card.
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

        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                return new HeaderFilterResult(kept, "A header name is not a valid HTTP token.");
            }

            if (value is null || value.Length > MaxValueLength || value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')))
            {
                return new HeaderFilterResult(kept, $"The value of header \"{name}\" contains a line break or control character, or is too long.");
            }

            if (IsAllowedRequestHeader(name) && !string.Equals(name, secretHeader, StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(new(name.ToLowerInvariant(), value));
            }
        }

        return new HeaderFilterResult(kept, null);
    }

    public static bool IsAllowedRequestHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (AllowedRequest.Contains(name))
        {
            return true;
        }

        if (!name.StartsWith("x-", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !DeniedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
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

/// <summary>The request headers to forward, or why the set was refused.</summary>
public sealed record HeaderFilterResult(IReadOnlyList<KeyValuePair<string, string>> Headers, string? Error);
