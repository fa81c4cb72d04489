using System.Text;

namespace Labyrinth.Core.Broker;

/// <summary>Builds the upstream URL from a service's base URL and a checked relative path, and decides which redirects may be followed.</summary>
public static class BrokerUrl
{
    public const int MaxQueryParameters = 50;

    /// <summary>
    /// base + path + escaped query. <paramref name="path"/> must have passed <see cref="BrokerPath.Check"/>;
    /// query names equal to <paramref name="secretQueryName"/> are dropped (the card cannot set or override the secret).
    /// </summary>
    public static Uri Build(Uri baseUrl, string path, IReadOnlyDictionary<string, string>? query, string? secretQueryName = null, string? secretQueryValue = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(path);
        var builder = new StringBuilder();
        builder.Append(baseUrl.GetLeftPart(UriPartial.Authority));
        builder.Append(baseUrl.AbsolutePath.TrimEnd('/'));
        builder.Append(path);
        var separator = '?';
        foreach (var (name, value) in query ?? new Dictionary<string, string>())
        {
            if (secretQueryName is not null && string.Equals(name, secretQueryName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value ?? ""));
            separator = '&';
        }

        if (secretQueryName is not null && secretQueryValue is not null)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(secretQueryName)).Append('=').Append(Uri.EscapeDataString(secretQueryValue));
        }

        var url = new Uri(builder.ToString(), UriKind.Absolute);

        // Belt and braces: whatever the path held, the result must still be on the base's origin and under its path.
        if (!IsSameOrigin(baseUrl, url) || !url.AbsolutePath.StartsWith(baseUrl.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new ArgumentException("The path leaves the service's base URL.", nameof(path));
        }

        return url;
    }

    /// <summary>Returns null when the query is acceptable, else why not.</summary>
    public static string? CheckQuery(IReadOnlyDictionary<string, string>? query)
    {
        if (query is null)
        {
            return null;
        }

        if (query.Count > MaxQueryParameters)
        {
            return $"At most {MaxQueryParameters} query parameters may be sent.";
        }

        foreach (var (name, value) in query)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 200 || value is null || value.Length > 4096)
            {
                return "A query parameter has an empty or too long name, or a too long value.";
            }

            // The broker escapes names and values, but an upstream that decodes twice would read
            // "%c0%ae" as ".": escapes inside them must be valid UTF-8 too, and a lone surrogate has
            // no UTF-8 encoding at all.
            if (BrokerPath.DecodeStrict(name) is null || BrokerPath.DecodeStrict(value) is null)
            {
                return "A query parameter's name or value is not valid UTF-8 (an unpaired surrogate, or a percent-encoded sequence such as an overlong \"%c0%ae\").";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="target"/> has the same scheme, host and port as <paramref name="origin"/>.</summary>
    public static bool IsSameOrigin(Uri origin, Uri target)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(target);
        return target.IsAbsoluteUri &&
               string.Equals(origin.Scheme, target.Scheme, StringComparison.OrdinalIgnoreCase) &&
               string.Equals(origin.IdnHost, target.IdnHost, StringComparison.OrdinalIgnoreCase) &&
               origin.Port == target.Port &&
               string.IsNullOrEmpty(target.UserInfo);
    }

    /// <summary>
    /// The URL a redirect points to, or null when it must not be followed (no Location, another
    /// origin, user info). Relative locations resolve against <paramref name="current"/>.
    /// </summary>
    public static Uri? RedirectTarget(Uri current, Uri? location)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (location is null)
        {
            return null;
        }

        var target = location.IsAbsoluteUri ? location : new Uri(current, location);
        return IsSameOrigin(current, target) ? target : null;
    }

    /// <summary>
    /// True when a redirect target stays inside the service: under the base URL's path, and its
    /// relative path passes <see cref="BrokerPath.Check"/> and the service's allowed prefixes —
    /// the secret goes along on every hop, so the upstream must not choose where within the origin.
    /// </summary>
    public static bool IsWithinService(Uri baseUrl, IEnumerable<string> prefixes, Uri target)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(prefixes);
        ArgumentNullException.ThrowIfNull(target);
        if (!IsSameOrigin(baseUrl, target))
        {
            return false;
        }

        var basePath = baseUrl.AbsolutePath.TrimEnd('/');
        var path = target.AbsolutePath;
        if (!path.StartsWith(basePath, StringComparison.Ordinal) || (path.Length > basePath.Length && path[basePath.Length] != '/'))
        {
            return false;
        }

        var relative = path.Length == basePath.Length ? "/" : path[basePath.Length..];
        return BrokerPath.Check(relative) is null && BrokerPath.IsAllowed(relative, prefixes);
    }

    /// <summary>Path only, for logs: never the query (it may carry values a person typed, or a secret).</summary>
    public static string LoggablePath(string path) => path.Length > 300 ? path[..300] : path;
}
