using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Labyrinth.Host.Features.Backup;

/// <summary>Scheduled backups, bound from <c>Labyrinth:Backup</c>. No schedule: backups only on demand (CLI, Admin → Backups).</summary>
internal sealed class BackupOptions
{
    public const string Section = "Labyrinth:Backup";

    /// <summary><c>hourly</c>, <c>daily</c>, <c>weekly</c>, a number with <c>m</c>/<c>h</c>/<c>d</c> (<c>6h</c>), or a TimeSpan (<c>12:00:00</c>); empty or <c>off</c> for none.</summary>
    public string? Schedule { get; set; }

    /// <summary>Where scheduled backups go; required with a schedule. Relative paths are resolved like the data directory's. Best on another disk.</summary>
    public string? Directory { get; set; }

    /// <summary>How many scheduled backups to keep; older ones are deleted after each success.</summary>
    public int Keep { get; set; } = 7;

    public TimeSpan? Interval => BackupSchedule.Parse(Schedule, out var interval) ? interval : null;

    public bool IsScheduled => Interval is not null;
}

/// <summary>The schedule's rules as pure functions: parsing the interval, when the next backup is due, and whether health is degraded.</summary>
internal static class BackupSchedule
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    /// <summary>After a failure the next attempt comes after this long, or after the interval if that is shorter.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromHours(1);

    /// <summary>False only for text that is neither empty/off nor an interval; <paramref name="interval"/> is null for no schedule.</summary>
    public static bool IsValid(string? schedule) => string.IsNullOrWhiteSpace(schedule) || schedule.Trim() == "off" || Parse(schedule, out _);

    public static bool Parse(string? schedule, out TimeSpan interval)
    {
        interval = default;
        var text = schedule?.Trim().ToLowerInvariant();
        TimeSpan? value = text switch
        {
            null or "" or "off" => null,
            "hourly" => TimeSpan.FromHours(1),
            "daily" => TimeSpan.FromDays(1),
            "weekly" => TimeSpan.FromDays(7),
            _ when text.Length > 1 && text[^1] is 'm' or 'h' or 'd' && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 =>
                text[^1] switch { 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) },
            _ when text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) => span,
            _ => null,
        };
        if (value is not { } v || v < MinimumInterval)
        {
            return false;
        }

        interval = v;
        return true;
    }

    /// <summary>
    /// When the next scheduled backup is due: now when there never was one, an interval after the
    /// last success, or — when the last attempt failed — an hour (or the interval, if shorter) after
    /// that failure, so a failing backup is retried without spinning.
    /// </summary>
    public static DateTimeOffset NextDue(TimeSpan interval, DateTimeOffset now, DateTimeOffset? lastSuccess, DateTimeOffset? lastFailure)
    {
        if (lastFailure is { } failure && (lastSuccess is null || failure > lastSuccess))
        {
            return failure + (interval < RetryAfterFailure ? interval : RetryAfterFailure);
        }

        return lastSuccess is { } success ? success + interval : now;
    }

    /// <summary>
    /// Degraded when the last successful scheduled backup is older than twice the interval, or when
    /// there is none yet and either an attempt failed or the host has run for twice the interval.
    /// </summary>
    public static (HealthStatus Status, string Description) Assess(TimeSpan interval, DateTimeOffset now, DateTimeOffset startedAt, DateTimeOffset? lastSuccess, string? lastError)
    {
        var limit = interval * 2;
        if (lastSuccess is { } success)
        {
            var age = now - success;
            return age > limit
                ? (HealthStatus.Degraded, $"The last successful backup is {Describe(age)} old; the schedule takes one every {Describe(interval)}." + (lastError is null ? "" : " Last error: " + lastError))
                : (HealthStatus.Healthy, $"The last successful backup is {Describe(age)} old.");
        }

        if (lastError is not null)
        {
            return (HealthStatus.Degraded, "No scheduled backup has succeeded yet. Last error: " + lastError);
        }

        return now - startedAt > limit
            ? (HealthStatus.Degraded, $"No scheduled backup has been taken in {Describe(now - startedAt)}.")
            : (HealthStatus.Healthy, "The first scheduled backup has not been taken yet.");
    }

    public static string Describe(TimeSpan span) => span.TotalDays >= 1
        ? Count(span.TotalDays, "day")
        : span.TotalHours >= 1 ? Count(span.TotalHours, "hour") : Count(Math.Max(0, Math.Floor(span.TotalMinutes)), "minute");

    private static string Count(double value, string unit)
    {
        var text = value.ToString("0.#", CultureInfo.InvariantCulture);
        return text == "1" ? "1 " + unit : text + " " + unit + "s";
    }
}
