using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Backup;

internal sealed record BackupStatusDto(LastBackupDto? Last, BackupScheduleDto? Schedule);

internal sealed record LastBackupDto(DateTime At, string Kind, long Bytes, string? By, string? FileName);

internal sealed record BackupScheduleDto(
    string Schedule, long IntervalSeconds, string Directory, int Keep, DateTime? LastSuccessAt, DateTime NextAt, string Health, string HealthDescription,
    BackupErrorDto? LastError, BackupFileDto[] Files);

internal sealed record BackupErrorDto(DateTime At, string Message);

internal sealed record BackupFileDto(string Name, long Bytes, DateTime At);

/// <summary>
/// Admin → Backups: when the last backup was taken, the schedule's state, and a streamed download
/// of a fresh backup. The archive holds every secret in decryptable form, so only admins reach it,
/// each download is audited before its first byte, and it is never served to another site.
/// </summary>
internal static class BackupApi
{
    public static IServiceCollection AddBackup(this IServiceCollection services)
    {
        services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.Section)
            .Validate(o => BackupSchedule.IsValid(o.Schedule),
                "Labyrinth:Backup:Schedule must be hourly, daily, weekly, a number with m/h/d (e.g. 6h) or a TimeSpan (e.g. 12:00:00) of at least a minute, or off.")
            .Validate(o => !o.IsScheduled || !string.IsNullOrWhiteSpace(o.Directory),
                "Labyrinth:Backup:Directory is required when Labyrinth:Backup:Schedule is set (best on another disk than the data directory).")
            .Validate(o => o.Keep is >= 1 and <= 10_000, "Labyrinth:Backup:Keep must be between 1 and 10000.")
            .Validate<Data.DatabaseEngine>((o, engine) => !o.IsScheduled || !engine.IsPostgres,
                "Labyrinth:Backup:Schedule backs up the SQLite file; on PostgreSQL back up with pg_dump instead (docs/operations.md, Running on PostgreSQL).")
            .ValidateOnStart();
        services.AddSingleton<HostBackupGuard>();
        services.AddSingleton<BackupService>();
        services.AddHostedService<BackupScheduler>();
        services.AddHealthChecks().AddCheck<BackupHealthCheck>("backup");
        return services;
    }

    public static IEndpointRouteBuilder MapBackup(this IEndpointRouteBuilder app)
    {
        var backups = app.MapGroup("/api/admin/backups").WithTags("Backups").RequireAuthorization(AuthApi.AdminPolicy)
            .AddEndpointFilter(SameOriginOnly);
        backups.MapGet("/", Status);
        backups.MapGet("/download", Download);
        return app;
    }

    private static async Task<Ok<BackupStatusDto>> Status(BackupService backups, TimeProvider clock, CancellationToken ct)
    {
        var last = await backups.LastAsync(ct);
        BackupScheduleDto? schedule = null;
        if (backups.Options.Interval is { } interval && backups.Directory is { } directory)
        {
            var now = clock.GetUtcNow();
            var success = backups.LastScheduledSuccess;
            var failure = backups.LastFailure;
            var (health, description) = BackupSchedule.Assess(interval, now, backups.StartedAt, success, failure?.Message);
            schedule = new BackupScheduleDto(
                backups.Options.Schedule!.Trim(),
                (long)interval.TotalSeconds,
                directory,
                backups.Options.Keep,
                success?.UtcDateTime,
                BackupSchedule.NextDue(interval, now, success, failure?.At).UtcDateTime,
                health == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy ? "ok" : "degraded",
                description,
                failure is null ? null : new BackupErrorDto(failure.At, failure.Message),
                backups.ScheduledFiles().Select(f => new BackupFileDto(f.Name, f.Bytes, f.At)).ToArray());
        }

        return TypedResults.Ok(new BackupStatusDto(
            last is null ? null : new LastBackupDto(DateTime.SpecifyKind(last.At, DateTimeKind.Utc), last.Kind, last.Bytes, last.By, last.FileName),
            schedule));
    }

    /// <summary>
    /// Streams a new backup as it is written (chunked; the archive is never held in memory or on
    /// disk whole). The download is audited before the first byte; a failure before it answers
    /// 500 with a problem, a failure after it aborts the connection so no truncated file looks complete.
    /// </summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Download(
        HttpContext http, BackupService backups, AuditLog audit, Data.DatabaseEngine engine, CancellationToken ct)
    {
        if (engine.IsPostgres)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.BackupNotForThisDatabase,
                "This host keeps its data in PostgreSQL, which this archive cannot snapshot; back it up with pg_dump (docs/operations.md, Running on PostgreSQL).");
        }

        var actor = http.Actor();
        await audit.AppendAsync(actor, BackupAuditActions.Download, null, new { }, ct);
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{backups.DownloadFileName()}\"";
        http.Response.Headers.CacheControl = "no-store";
        try
        {
            await backups.WriteAsync(http.Response.Body, actor, ct);
            return TypedResults.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await backups.FailedAsync(BackupService.KindDownload, ex, CancellationToken.None);
            if (!http.Response.HasStarted)
            {
                http.Response.Headers.ContentDisposition = default;
                return Problems.Create(StatusCodes.Status500InternalServerError, ErrorCodes.BackupFailed, "The backup could not be taken: " + ex.Message);
            }

            http.Abort();
            return TypedResults.Empty;
        }
    }

    /// <summary>
    /// GETs skip the API's CSRF header rule, but these start work and hand out secrets: a request
    /// another site (or a sibling card origin) started is refused, as the API refuses cross-site writes.
    /// </summary>
    private static async ValueTask<object?> SameOriginOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var site = context.HttpContext.Request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CsrfCrossSite, "Backups are only served to the Labyrinth admin pages themselves.");
        }

        return await next(context);
    }
}
