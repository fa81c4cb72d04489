using System.Text.Json;
using Labyrinth.Core.Audit;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Audit;

internal sealed record AuditEntryDto(long Sequence, DateTime At, string Actor, string Action, string? PluginId, JsonElement Detail, string PrevHash, string Hash);

internal sealed record AuditPageDto(AuditEntryDto[] Items, int Total, int Page, int PageSize);

internal sealed record AuditVerifyDto(bool Valid, string Kind, long? Sequence, int EntriesChecked, string Message);

internal static class AuditApi
{
    private const int MaxPageSize = 500;

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditGate>();
        services.AddScoped<AuditLog>();
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/admin/audit").WithTags("Audit").RequireAuthorization(AuthApi.AdminPolicy);
        audit.MapGet("/", List);
        audit.MapGet("/export", Export);
        audit.MapGet("/verify", Verify);
        audit.MapGet("/actions", () => TypedResults.Ok(AuditActions.All));
        return app;
    }

    private static async Task<Ok<AuditPageDto>> List(
        LabyrinthDb db, string? plugin, string? actor, string? action, DateTime? from, DateTime? to, int? page, int? pageSize, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, MaxPageSize);
        var number = Math.Max(page ?? 1, 1);
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(plugin))
        {
            query = query.Where(a => a.PluginId == plugin);
        }

        if (!string.IsNullOrEmpty(actor))
        {
            query = query.Where(a => a.Actor == actor);
        }

        if (!string.IsNullOrEmpty(action))
        {
            query = query.Where(a => a.Action == action);
        }

        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(a => a.AtUtc >= fromUtc);
        }

        if (to is { } t)
        {
            var toUtc = t.ToUniversalTime();
            query = query.Where(a => a.AtUtc < toUtc);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.Sequence).Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new AuditPageDto(rows.Select(ToDto).ToArray(), total, number, size));
    }

    private static async Task Export(HttpContext http, AuditLog log, CancellationToken ct)
    {
        var entries = await log.ReadAllAsync(ct);
        http.Response.ContentType = "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"labyrinth-audit.ndjson\"";
        using var buffer = new MemoryStream();
        AuditJsonLines.Write(entries, buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, ct);
    }

    private static async Task<Ok<AuditVerifyDto>> Verify(AuditLog log, CancellationToken ct)
    {
        var result = AuditChain.Verify(await log.ReadAllAsync(ct));
        return TypedResults.Ok(new AuditVerifyDto(result.IsValid, result.Kind.ToString().ToLowerInvariant(), result.Sequence, result.EntriesChecked, result.Message));
    }

    private static AuditEntryDto ToDto(AuditEntryEntity e)
    {
        JsonElement detail;
        try
        {
            detail = JsonDocument.Parse(e.DetailJson).RootElement.Clone();
        }
        catch (JsonException)
        {
            // A hand-edited row may not be JSON any more; show it as text rather than failing the page.
            detail = JsonSerializer.SerializeToElement(e.DetailJson);
        }

        return new(e.Sequence, e.AtUtc, e.Actor, e.Action, e.PluginId, detail, e.PrevHash, e.Hash);
    }
}
