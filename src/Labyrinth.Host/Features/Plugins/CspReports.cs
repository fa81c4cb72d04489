using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Text;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// Who a card frame's CSP violation reports belong to. The frame document is fetched without a
/// cookie and reports arrive anonymously, so the page asks for the frame with a token the host
/// minted for (viewer, plugin): the frame's CSP then names `/cards/csp-report/{id}/{version}/{token}`
/// as its report-uri. The card cannot choose that path: report-uri in a &lt;meta&gt; CSP is ignored, it
/// may not frame anything or open windows, and it has no network. So a report is tied to a
/// viewer and a plugin by a value only the host issues, and to a version by the card origin
/// that received it. Tokens are HMACs under a per-process key: a restart invalidates them (the
/// reports are kept in memory only, so nothing is lost that was kept).
/// </summary>
internal sealed class CspReportTokens
{
    /// <summary>More than any real host has viewers × plugins; past it new tokens are not minted.</summary>
    public const int MaxTokens = 100_000;

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, CspReportOwner> owners = new(StringComparer.Ordinal);

    /// <summary>The token for this viewer's frames of this plugin; null when the registry is full.</summary>
    public string? Issue(Guid userId, bool isAdmin, string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"csp-report\n{userId:N}\n{pluginId}"));
        var token = Base64Url.EncodeToString(mac.AsSpan(0, 16));
        var owner = new CspReportOwner(userId, isAdmin, pluginId);
        if (owners.TryGetValue(token, out var known))
        {
            if (known != owner)
            {
                owners[token] = owner; // the role changed since: the newest answer wins
            }

            return token;
        }

        if (owners.Count >= MaxTokens)
        {
            return null;
        }

        owners.TryAdd(token, owner);
        return token;
    }

    /// <summary>The owner of a token the host minted; null for anything else (including a malformed one).</summary>
    public CspReportOwner? Find(string? token) =>
        token is { Length: 22 } && owners.TryGetValue(token, out var owner) ? owner : null;
}

internal sealed record CspReportOwner(Guid UserId, bool IsAdmin, string PluginId);

/// <summary>One CSP violation as the overlay shows it: every field bounded plain text the card may have chosen.</summary>
internal sealed record CspViolationDto(
    long Seq, DateTimeOffset At, string Directive, string Blocked, string? SourceFile, int? Line, int? Column, string? Sample, string Disposition);

internal sealed record CspViolationsDto(CspViolationDto[] Violations, long Dropped);

/// <summary>
/// The CSP violation reports of the frames each viewer opened, per plugin version, in memory and
/// bounded: the newest <see cref="PerViewerVersion"/> per (viewer, version), at most
/// <see cref="MaxKeys"/> such lists (the least recently written goes first), and per plugin version
/// at most a burst of <see cref="Burst"/> reports then <see cref="PerSecond"/> a second, whoever
/// sends them, so one chatty or hostile card costs a bounded amount of CPU and memory.
/// </summary>
internal sealed class CspReportStore(TimeProvider clock)
{
    public const int PerViewerVersion = 50;
    public const int MaxKeys = 2_000;
    public const int Burst = 20;
    public const double PerSecond = 2;

    private readonly Lock gate = new();
    private readonly Dictionary<(Guid User, string Plugin, string Version), Ring> rings = [];
    private readonly Dictionary<(string Plugin, string Version), Bucket> buckets = [];
    private long seq;

    /// <summary>False when the plugin version is over its rate: nothing is kept.</summary>
    public bool TryTake(string pluginId, string version, int count)
    {
        var now = clock.GetTimestamp();
        lock (gate)
        {
            if (!buckets.TryGetValue((pluginId, version), out var bucket))
            {
                if (buckets.Count >= MaxKeys)
                {
                    buckets.Clear(); // installed versions only reach here; a full table is a very old one
                }

                bucket = new Bucket { Tokens = Burst, Stamp = now };
                buckets[(pluginId, version)] = bucket;
            }

            var elapsed = clock.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(Burst, bucket.Tokens + elapsed * PerSecond);
            bucket.Stamp = now;
            if (bucket.Tokens < count)
            {
                bucket.Dropped += count;
                return false;
            }

            bucket.Tokens -= count;
            return true;
        }
    }

    public void Add(CspReportOwner owner, string version, IReadOnlyList<CspViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var at = clock.GetUtcNow();
        lock (gate)
        {
            var key = (owner.UserId, owner.PluginId, version);
            if (!rings.TryGetValue(key, out var ring))
            {
                if (rings.Count >= MaxKeys)
                {
                    var oldest = rings.MinBy(r => r.Value.Touched).Key;
                    rings.Remove(oldest);
                }

                ring = new Ring();
                rings[key] = ring;
            }

            foreach (var v in violations)
            {
                if (ring.Items.Count == PerViewerVersion)
                {
                    ring.Items.Dequeue();
                }

                ring.Items.Enqueue(new CspViolationDto(++seq, at, v.Directive, v.Blocked, v.SourceFile, v.Line, v.Column, v.Sample, v.Disposition));
            }

            ring.Touched = seq;
        }
    }

    /// <summary>This viewer's reports for the version after <paramref name="after"/>, oldest first, and the version's dropped count.</summary>
    public CspViolationsDto Read(Guid userId, string pluginId, string version, long after)
    {
        lock (gate)
        {
            var items = rings.TryGetValue((userId, pluginId, version), out var ring)
                ? ring.Items.Where(v => v.Seq > after).ToArray()
                : [];
            return new CspViolationsDto(items, buckets.TryGetValue((pluginId, version), out var b) ? b.Dropped : 0);
        }
    }

    /// <summary>How many (viewer, version) lists are held (tests check the bound).</summary>
    public int KeyCount
    {
        get
        {
            lock (gate)
            {
                return rings.Count;
            }
        }
    }

    private sealed class Ring
    {
        public Queue<CspViolationDto> Items { get; } = new(PerViewerVersion);
        public long Touched { get; set; }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }
        public long Stamp { get; set; }
        public long Dropped { get; set; }
    }
}

/// <summary>A violation after parsing: only the fields the overlay shows, each cleaned and bounded.</summary>
internal sealed record CspViolation(string Directive, string Blocked, string? SourceFile, int? Line, int? Column, string? Sample, string Disposition);

/// <summary>
/// Reads the two report formats browsers send: `application/csp-report` (report-uri: one
/// `{"csp-report": {…}}`) and `application/reports+json` (the Reporting API: an array of
/// `{type, body}`, of which only `csp-violation` counts). Everything in a report is written by the
/// card (it picks what to violate, the URL it tried, the script sample), so nothing is trusted:
/// unknown fields are ignored, strings are cut and stripped of control characters, and a body that
/// is not one of those shapes is refused whole.
/// </summary>
internal static class CspReportParser
{
    public const string LegacyType = "application/csp-report";
    public const string ReportingApiType = "application/reports+json";

    /// <summary>A report-uri body is ~1 KiB (it carries the policy); a Reporting API batch a few.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>A Reporting API batch may carry several reports; more than this is not a browser.</summary>
    public const int MaxPerBatch = 10;

    private const int MaxText = 300;
    private const int MaxSample = 80;

    /// <summary>The violations in <paramref name="body"/>; null when it is not a CSP report of <paramref name="mediaType"/>.</summary>
    public static IReadOnlyList<CspViolation>? Parse(string mediaType, ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = doc.RootElement;
            if (mediaType == LegacyType)
            {
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("csp-report", out var r) && r.ValueKind == JsonValueKind.Object
                    ? [FromLegacy(r)]
                    : null;
            }

            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() is 0 or > MaxPerBatch)
            {
                return null;
            }

            var list = new List<CspViolation>();
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("body", out var b) || b.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                if (Text(item, "type", MaxText) == "csp-violation")
                {
                    list.Add(FromReportingApi(b));
                }
            }

            return list;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static CspViolation FromLegacy(JsonElement r) => new(
        Directive(Text(r, "effective-directive", 64) ?? Text(r, "violated-directive", 64)),
        Text(r, "blocked-uri", MaxText) ?? "",
        Text(r, "source-file", MaxText),
        Number(r, "line-number"),
        Number(r, "column-number"),
        Text(r, "script-sample", MaxSample),
        Disposition(Text(r, "disposition", 16)));

    private static CspViolation FromReportingApi(JsonElement b) => new(
        Directive(Text(b, "effectiveDirective", 64)),
        Text(b, "blockedURL", MaxText) ?? "",
        Text(b, "sourceFile", MaxText),
        Number(b, "lineNumber"),
        Number(b, "columnNumber"),
        Text(b, "sample", MaxSample),
        Disposition(Text(b, "disposition", 16)));

    /// <summary>A directive name is lower-case letters and dashes; "script-src 'none'" keeps its first word.</summary>
    private static string Directive(string? value)
    {
        var word = (value ?? "").Split(' ', 2)[0];
        return word.Length > 0 && word.All(c => c is >= 'a' and <= 'z' or '-') ? word : "unknown";
    }

    private static string Disposition(string? value) => value == "report" ? "report" : "enforce";

    private static string? Text(JsonElement e, string name, int max)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // Control, bidi-override and invisible characters could make a line in the overlay lie
        // about itself; cut first (a report may be long), never between a surrogate pair's halves.
        var s = v.GetString() ?? "";
        return DisplayText.Clip(DisplayText.Scrub(DisplayText.Clip(s, max * 2)), max);
    }

    private static int? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0 ? n : null;
}
