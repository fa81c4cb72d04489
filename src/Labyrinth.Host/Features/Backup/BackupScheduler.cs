using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Labyrinth.Host.Features.Backup;

/// <summary>
/// Clears what a crash left of a backup, then takes a backup whenever one is due (<see cref="BackupSchedule.NextDue"/>): at start when the
/// directory holds none or the newest is older than the interval, then every interval after the
/// last success, sooner after a failure.
/// </summary>
internal sealed class BackupScheduler(BackupService backups, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        backups.RemoveLeftovers();
        if (backups.Options.Interval is not { } interval)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var due = BackupSchedule.NextDue(interval, clock.GetUtcNow(), backups.LastScheduledSuccess, backups.LastFailure?.At);
                var wait = due - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, stoppingToken);
                }

                await backups.RunScheduledAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>/healthz: the age of the last successful scheduled backup, degraded past twice the interval.</summary>
internal sealed class BackupHealthCheck(BackupService backups, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (backups.Options.Interval is not { } interval)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No backup schedule is set."));
        }

        var now = clock.GetUtcNow();
        var last = backups.LastScheduledSuccess;
        var failure = backups.LastFailure;
        var (status, description) = BackupSchedule.Assess(interval, now, backups.StartedAt, last, failure?.Message);
        var data = new Dictionary<string, object>
        {
            ["intervalSeconds"] = (long)interval.TotalSeconds,
        };
        if (last is { } at)
        {
            data["lastSuccessAt"] = at.UtcDateTime;
            data["ageSeconds"] = (long)Math.Max(0, (now - at).TotalSeconds);
        }

        if (failure is not null)
        {
            data["lastErrorAt"] = failure.At;
        }

        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
