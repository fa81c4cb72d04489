using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Core.Text;

namespace Labyrinth.Host.Features.Apps;

/// <summary>
/// Per-plugin logs: what cards and services write with <c>log.info/warn/error</c>, and what the
/// host notes about them (a call that timed out, an answer that broke its schema, a service
/// that crashed). The last <see cref="Capacity"/> lines per plugin, in memory, for admins; each
/// person's lines are rate limited per plugin, clipped, stripped of control characters and of
/// anything shaped like a credential, so a log never carries a token in clear.
/// </summary>
internal sealed partial class PluginLogs(LabyrinthMetrics metrics, TimeProvider clock)
{
    public const int Capacity = 1000;
    public const int MaxMessageChars = 500;
    public const double LinesPerSecond = 10;
    public const int Burst = 50;

    public static readonly IReadOnlySet<string> Levels = new HashSet<string>(StringComparer.Ordinal) { "info", "warn", "error" };

    private readonly ConcurrentDictionary<string, Ring> rings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid, string), Bucket> buckets = new();
    private long seq;

    // Host-issued handles and the usual credential shapes: Bearer/Basic values, sk-… keys, JWTs,
    // and key=value pairs whose key says what they are.
    [GeneratedRegex(@"token://\S+|\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}|\bsk-[A-Za-z0-9_-]{12,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+|\b((?:api[_-]?key|secret|password|passwd|token|authorization)\s*[:=]\s*)(?:(?:Bearer|Basic)\s+)?\S+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex Credential();

    /// <summary>A line from a plugin (card or service) of <paramref name="userId"/>; false when rate limited or malformed.</summary>
    public bool Write(Guid userId, string userName, string pluginId, string version, string source, string? level, string? message)
    {
        if (level is null || !Levels.Contains(level) || message is null)
        {
            return false;
        }

        var bucket = buckets.GetOrAdd((userId, pluginId), _ => new Bucket(clock.GetTimestamp()));
        if (!bucket.Take(clock.GetTimestamp(), clock.TimestampFrequency))
        {
            metrics.PluginLogDropped(pluginId);
            return false;
        }

        Append(pluginId, version, source, userName, level, message);
        return true;
    }

    /// <summary>A line the host writes about a plugin (never rate limited: the host's own notes are bounded by what plugins do).</summary>
    public void Host(string pluginId, string version, string userName, string level, string message) =>
        Append(pluginId, version, "host", userName, level, message);

    /// <summary>Newest last; <paramref name="level"/> keeps that level and above.</summary>
    public PluginLogLineDto[] Read(string pluginId, string? level, int limit)
    {
        if (!rings.TryGetValue(pluginId, out var ring))
        {
            return [];
        }

        var min = level switch { "error" => 2, "warn" => 1, _ => 0 };
        lock (ring)
        {
            return [.. ring.Lines.Where(l => Rank(l.Level) >= min).TakeLast(Math.Clamp(limit, 1, Capacity))];
        }
    }

    public void Forget(string pluginId) => rings.TryRemove(pluginId, out _);

    /// <summary>Clips, replaces control, line-separator, bidi-override and invisible characters (no forged, reordered or hidden text) and credentials.</summary>
    internal static string Clean(string message)
    {
        var text = DisplayText.Scrub(DisplayText.Clip(message, MaxMessageChars * 2));

        string redacted;
        try
        {
            redacted = Credential().Replace(text, m => m.Groups[1].Success ? m.Groups[1].Value + "[redacted]" : "[redacted]");
        }
        catch (RegexMatchTimeoutException)
        {
            redacted = "[a line the host could not check for credentials was dropped]";
        }

        return DisplayText.Clip(redacted, MaxMessageChars);
    }

    private void Append(string pluginId, string version, string source, string userName, string level, string message)
    {
        var line = new PluginLogLineDto(Interlocked.Increment(ref seq), clock.GetUtcNow(), level, version, source, userName, Clean(message));
        var ring = rings.GetOrAdd(pluginId, _ => new Ring());
        lock (ring)
        {
            if (ring.Lines.Count >= Capacity)
            {
                ring.Lines.Dequeue();
            }

            ring.Lines.Enqueue(line);
        }

        metrics.PluginLogLine(pluginId, level);
    }

    private static int Rank(string level) => level switch { "error" => 2, "warn" => 1, _ => 0 };

    private sealed class Ring
    {
        public Queue<PluginLogLineDto> Lines { get; } = new(64);
    }

    private sealed class Bucket(long at)
    {
        private double tokens = Burst;
        private long at = at;

        public bool Take(long now, long frequency)
        {
            lock (this)
            {
                tokens = Math.Min(Burst, tokens + (Math.Max(0, now - at) / (double)frequency * LinesPerSecond));
                at = now;
                if (tokens < 1)
                {
                    return false;
                }

                tokens--;
                return true;
            }
        }
    }
}
