using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// Where card frames and plugin files are served: "Labyrinth:Cards:OriginTemplate" and the host's
/// own public origin ("Labyrinth:PublicOrigin"). See docs/operations.md, "Card origins".
/// </summary>
internal sealed class CardOriginOptions
{
    public const string DefaultTemplate = "http://{label}.cards.localhost:{port}";

    /// <summary>
    /// `scheme://host[:port]`; `{label}` (the whole first DNS label) becomes one plugin version's
    /// label, `{port}` the port the host page was reached on. Without `{label}` every plugin shares
    /// one card origin (isolation between plugins is off).
    /// </summary>
    public string OriginTemplate { get; set; } = DefaultTemplate;

    /// <summary>The origin people reach the host page at, e.g. https://labyrinth.example.com; derived from each request when unset.</summary>
    public string? PublicOrigin { get; set; }
}

/// <summary>Which site a request is for: the host's own origin, or a card origin (with its label when isolated).</summary>
internal sealed record CardSite(string? Label);

/// <summary>
/// The card-origin model (VS Code's webviews do the same): each plugin version's frames and files
/// live on an origin of their own, so Chromium gives each plugin its own renderer process (a
/// spinning card cannot stop another plugin's card), and the host origin's `'self'` covers host
/// code only. Everything that needs a card URL asks this class; nobody builds one from strings.
/// </summary>
internal sealed partial class CardOrigins
{
    /// <summary>Base32 characters of the SHA-256 prefix: 100 bits, collision-free in practice.</summary>
    public const int LabelLength = 20;

    private readonly string scheme;
    private readonly string? hostSuffix; // ".cards.localhost" when isolated
    private readonly string hostName;    // the whole host when shared
    private readonly int? fixedPort;     // a literal port in the template; null = {port}
    private readonly Uri? publicOrigin;

    // Card sites by label, so a request on an installed plugin's origin allocates no site. Labels
    // arrive in Host headers (anyone's), so only label-shaped ones are kept, and only so many.
    private const int MaxCachedSites = 4096;
    private static readonly CardSite SharedSite = new(null);
    private static readonly SearchValues<char> PlainHostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");
    private static readonly SearchValues<char> LabelChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz234567");
    private readonly ConcurrentDictionary<string, CardSite> sites = new(StringComparer.Ordinal);
    private int cachedSites;

    public CardOrigins(IOptions<CardOriginOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        var error = Validate(o);
        if (error is not null)
        {
            throw new OptionsValidationException(nameof(CardOriginOptions), typeof(CardOriginOptions), [error]);
        }

        var m = TemplatePattern().Match(o.OriginTemplate.Trim());
        scheme = m.Groups["scheme"].Value.ToLowerInvariant();
        var host = m.Groups["host"].Value.ToLowerInvariant();
        Isolated = host.StartsWith("{label}.", StringComparison.Ordinal);
        hostSuffix = Isolated ? host["{label}".Length..] : null;
        hostName = host;
        fixedPort = m.Groups["port"].Success && m.Groups["port"].Value != "{port}" ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture) : null;
        publicOrigin = string.IsNullOrWhiteSpace(o.PublicOrigin) ? null : new Uri(o.PublicOrigin.Trim());
        Template = o.OriginTemplate.Trim();
        OnLoopbackName = IsLoopbackName(Isolated ? hostSuffix![1..] : hostName);
    }

    /// <summary>The configured template, as written.</summary>
    public string Template { get; }

    /// <summary>True when every plugin version has its own origin (the template has `{label}`).</summary>
    public bool Isolated { get; }

    /// <summary>The card origins are loopback names (`*.localhost`): only a browser on this machine reaches them.</summary>
    public bool OnLoopbackName { get; }

    /// <summary>The DNS label of one plugin version: lower-case base32 of SHA-256("id\nversion"), <see cref="LabelLength"/> characters.</summary>
    public static string Label(string pluginId, string version)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(version);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(pluginId + "\n" + version));
        return Base32(hash)[..LabelLength];
    }

    /// <summary>The card origin of one plugin version, for a page the host served on <paramref name="host"/>'s request.</summary>
    public string OriginFor(HttpRequest host, string pluginId, string version) =>
        Render(Isolated ? Label(pluginId, version) : null, HostPort(host));

    /// <summary>A URL on a plugin version's card origin; <paramref name="path"/> starts with '/'.</summary>
    public string Url(HttpRequest host, string pluginId, string version, string path) => OriginFor(host, pluginId, version) + path;

    /// <summary>The host page's CSP `frame-src` value: every card origin and nothing else.</summary>
    public string FrameSource(HttpRequest host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var port = fixedPort ?? HostPort(host);
        var name = Isolated ? "*" + hostSuffix : hostName;
        return IsDefaultPort(scheme, port) ? $"{scheme}://{name}" : $"{scheme}://{name}:{port}";
    }

    /// <summary>The origin(s) allowed to frame a card (its CSP `frame-ancestors`), answered on the card origin.</summary>
    public string FrameAncestors(HttpRequest card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (publicOrigin is not null)
        {
            return publicOrigin.GetLeftPart(UriPartial.Authority);
        }

        // Without a configured public origin the card origins are loopback names (Validate): only a
        // browser on this machine can load them, so the host page is on a loopback origin too, on
        // the port the card URL carries ({port} is the host page's port).
        // With a fixed card port the host page's port is unknown here: any loopback port.
        var port = fixedPort is null ? HostPortOrDefault(card).ToString(CultureInfo.InvariantCulture) : "*";
        // No [::1]: CSP source expressions cannot hold an IPv6 literal (Chromium ignores it and
        // logs a warning for every card frame), so a page reached at [::1] cannot embed cards.
        string At(string host) => port == "80" ? $"http://{host}" : $"http://{host}:{port}";
        return string.Join(' ', At("localhost"), At("127.0.0.1"));
    }

    /// <summary>The host's public origin as seen by this request (configured, else scheme and Host).</summary>
    public string HostOrigin(HttpRequest host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return publicOrigin?.GetLeftPart(UriPartial.Authority) ?? $"{host.Scheme}://{host.Host}".ToLowerInvariant();
    }

    /// <summary>Null for a request to the host's own origin; otherwise the card site (label null when shared).</summary>
    public CardSite? Classify(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TryClassifyPlainHost(request, out var site) ? site : ClassifyParsedHost(request);
    }

    /// <summary>
    /// Every request a browser sends to a card origin has a plain Host header: a lower-case DNS name
    /// (no IDN label) and an optional decimal port. That one is read in place, with the outcome
    /// <see cref="ClassifyParsedHost"/> gives for it; false for anything else, which that parses.
    /// </summary>
    private bool TryClassifyPlainHost(HttpRequest request, out CardSite? site)
    {
        site = null;
        var header = request.Headers.Host;
        if (header.Count != 1 || header[0] is not { Length: > 0 } value)
        {
            return false;
        }

        var text = value.AsSpan();
        var colon = text.IndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        var port = colon < 0 ? [] : text[(colon + 1)..];
        if (host.IsEmpty || host.ContainsAnyExcept(PlainHostChars) || port.ContainsAnyExceptInRange('0', '9') ||
            text.Contains("xn--", StringComparison.Ordinal)) // HostString turns punycode into Unicode
        {
            return false;
        }

        host = host.TrimEnd('.');
        if (fixedPort is { } fixedAt &&
            (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given : DefaultPort(request.Scheme)) != fixedAt)
        {
            return true;
        }

        if (!Isolated)
        {
            site = host.SequenceEqual(hostName) ? SharedSite : null;
            return true;
        }

        if (host.EndsWith(hostSuffix!, StringComparison.Ordinal))
        {
            site = SiteFor(host[..^hostSuffix!.Length]);
        }

        return true;
    }

    /// <summary>Any Host header, parsed as <see cref="HostString"/> does (IPv6 literals, IDN, upper case).</summary>
    private CardSite? ClassifyParsedHost(HttpRequest request)
    {
        var host = request.Host.Host.ToLowerInvariant().TrimEnd('.');
        if (fixedPort is { } port && (request.Host.Port ?? DefaultPort(request.Scheme)) != port)
        {
            return null;
        }

        if (!Isolated)
        {
            return host == hostName ? SharedSite : null;
        }

        if (!host.EndsWith(hostSuffix!, StringComparison.Ordinal))
        {
            return null;
        }

        // Any name under the card domain is a card site (never the host); a malformed label
        // matches no plugin, so it serves nothing.
        return SiteFor(host.AsSpan()[..^hostSuffix!.Length]);
    }

    private CardSite SiteFor(ReadOnlySpan<char> label)
    {
        if (sites.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(label, out var known))
        {
            return known;
        }

        var site = new CardSite(label.ToString());
        if (label.Length == LabelLength && !label.ContainsAnyExcept(LabelChars) && Volatile.Read(ref cachedSites) < MaxCachedSites && sites.TryAdd(site.Label!, site))
        {
            Interlocked.Increment(ref cachedSites);
        }

        return site;
    }

    /// <summary>Does this card site serve that plugin version? Shared origins serve every plugin.</summary>
    public static bool Serves(CardSite site, string pluginId, string version)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.Label is null || string.Equals(site.Label, Label(pluginId, version), StringComparison.Ordinal);
    }

    /// <summary>
    /// What an admin should know: isolation off, or loopback card names while this person reaches
    /// the host under another name (their browser would look for the cards on their own machine).
    /// </summary>
    public IReadOnlyList<CardOriginWarning> Warnings(HttpRequest host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var warnings = new List<CardOriginWarning>();
        if (!Isolated)
        {
            warnings.Add(new("cards.isolation_off",
                $"Card isolation is off: every plugin's cards share one origin ({Render(null, HostPort(host))}), so one plugin's hung card can freeze every other plugin's cards. Set Labyrinth:Cards:OriginTemplate to a template with {{label}} and a wildcard DNS name."));
        }

        if (OnLoopbackName && !IsLoopbackName(host.Host.Host))
        {
            warnings.Add(new("cards.loopback_origin",
                $"Cards are served on {Render(Isolated ? "<label>" : null, HostPort(host))}, a name that only reaches the computer it is typed on, but you reached this server as {host.Host.Host}: cards will not load in your browser. Set Labyrinth:Cards:OriginTemplate (and Labyrinth:PublicOrigin) to names people can reach."));
        }

        return warnings;
    }

    /// <summary>Null when the options are sound; otherwise a sentence saying what to fix.</summary>
    public static string? Validate(CardOriginOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var m = TemplatePattern().Match(o.OriginTemplate?.Trim() ?? "");
        if (!m.Success)
        {
            return $"Labyrinth:Cards:OriginTemplate \"{o.OriginTemplate}\" must look like http(s)://{{label}}.cards.example.com[:port|:{{port}}] (no path).";
        }

        var host = m.Groups["host"].Value.ToLowerInvariant();
        var shared = !host.StartsWith("{label}.", StringComparison.Ordinal);
        var name = shared ? host : host["{label}.".Length..];
        var kind = Uri.CheckHostName(name);
        if (name.Contains('{', StringComparison.Ordinal) || kind != UriHostNameType.Dns && (!shared || kind != UriHostNameType.IPv4))
        {
            return "Labyrinth:Cards:OriginTemplate: {label} may only be the whole first DNS label, followed by a domain name.";
        }

        Uri? pub = null;
        if (!string.IsNullOrWhiteSpace(o.PublicOrigin) &&
            (!Uri.TryCreate(o.PublicOrigin.Trim(), UriKind.Absolute, out pub) || pub.Scheme is not ("http" or "https") ||
             pub.AbsolutePath != "/" || pub.Query.Length > 0))
        {
            return $"Labyrinth:PublicOrigin \"{o.PublicOrigin}\" must be an origin such as https://labyrinth.example.com (no path).";
        }

        var portLiteral = m.Groups["port"].Success && m.Groups["port"].Value != "{port}";
        if (pub is null && !IsLoopbackName(name))
        {
            return "Labyrinth:PublicOrigin is required when the card origins are not *.localhost names: card frames may be embedded only by the host page, so the host must know its public origin.";
        }

        if (shared && !portLiteral && (IsLoopbackName(name) && !name.EndsWith(".localhost", StringComparison.Ordinal) || pub is not null && string.Equals(pub.Host, name, StringComparison.OrdinalIgnoreCase)))
        {
            return "Labyrinth:Cards:OriginTemplate names the host's own origin: cards must never run on the host's origin. Use another host name (or another fixed port).";
        }

        if (shared && portLiteral && pub is not null && string.Equals(pub.Host, name, StringComparison.OrdinalIgnoreCase) &&
            pub.Port == int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture))
        {
            return "Labyrinth:Cards:OriginTemplate is the host's own origin (Labyrinth:PublicOrigin): cards must never run on the host's origin.";
        }

        return null;
    }

    private string Render(string? label, int hostPort)
    {
        var host = label is null ? hostName : label + hostSuffix;
        var port = fixedPort ?? hostPort;
        return IsDefaultPort(scheme, port) ? $"{scheme}://{host}" : $"{scheme}://{host}:{port}";
    }

    private int HostPort(HttpRequest host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return publicOrigin?.Port ?? host.Host.Port ?? DefaultPort(host.Scheme);
    }

    private static int HostPortOrDefault(HttpRequest r) => r.Host.Port ?? DefaultPort(r.Scheme);

    private static int DefaultPort(string scheme) => string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;

    private static bool IsDefaultPort(string scheme, int port) => port == DefaultPort(scheme);

    internal static bool IsLoopbackName(string host)
    {
        var h = host.ToLowerInvariant().Trim('[', ']').TrimEnd('.');
        return h == "localhost" || h.EndsWith(".localhost", StringComparison.Ordinal) || IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>[A-Za-z0-9.{}-]+)(?::(?<port>\{port\}|[0-9]{1,5}))?/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TemplatePattern();
}

/// <summary>A card-origin problem the admin plugins page shows.</summary>
internal sealed record CardOriginWarning(string Code, string Message);
