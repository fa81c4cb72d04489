using System.Text.Json;
using Labyrinth.Core.Broker;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Services;

/// <summary>A service definition as the broker uses it (parsed once from the entity).</summary>
internal sealed record NetworkService(
    string Id,
    string DisplayName,
    Uri BaseUrl,
    IReadOnlyList<string> Methods,
    IReadOnlyList<string> PathPrefixes,
    string SecretIn,
    string SecretName,
    string SecretTemplate,
    int TimeoutSeconds,
    long MaxRequestBytes,
    long MaxResponseBytes,
    int RatePerMinute,
    int Burst,
    bool AllowStreaming,
    bool AllowPrivateNetwork,
    bool Enabled);

/// <summary>Admin CRUD for network services, validated by <see cref="ServiceRules"/> and audited.</summary>
internal sealed class NetworkServices(LabyrinthDb db, AuditLog audit, TimeProvider clock)
{
    public const int DefaultTimeoutSeconds = 30;
    public const long DefaultMaxRequestBytes = 1024 * 1024;
    public const long DefaultMaxResponseBytes = 8 * 1024 * 1024;
    public const int DefaultRatePerMinute = 60;

    // Compiled once: every broker call reads its service.
    private static readonly Func<LabyrinthDb, string, CancellationToken, Task<NetworkServiceEntity?>> FindService =
        EF.CompileAsyncQuery((LabyrinthDb db, string id, CancellationToken ct) => db.NetworkServices.AsNoTracking().SingleOrDefault(s => s.Id == id));

    public async Task<ServiceDto[]> ListAsync(CancellationToken ct)
    {
        var services = await db.NetworkServices.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        var configured = await SharedSecretServicesAsync(ct);
        return services.Select(s => ToDto(s, configured.Contains(s.Id))).ToArray();
    }

    public async Task<MemberServiceDto[]> ListForMemberAsync(Guid userId, CancellationToken ct)
    {
        var services = await db.NetworkServices.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        var configured = (await db.Secrets.AsNoTracking().Where(s => s.OwnerId == null || s.OwnerId == userId).Select(s => s.ServiceId).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        return services.Select(s => new MemberServiceDto(s.Id, s.DisplayName, s.Enabled, configured.Contains(s.Id))).ToArray();
    }

    public async Task<NetworkService?> FindAsync(string id, CancellationToken ct)
    {
        var entity = await FindService(db, id, ct);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>Normalises and validates a request; errors are keyed by field (id, baseUrl, secret.template, …).</summary>
    public static (ServiceDefinition Definition, Dictionary<string, string[]> Errors) Check(ServiceRequest body, string? routeId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var definition = new ServiceDefinition(
            routeId ?? body.Id,
            body.DisplayName?.Trim(),
            body.BaseUrl?.Trim(),
            body.Methods?.Select(m => (m ?? "").Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToArray(),
            body.PathPrefixes?.Select(p => (p ?? "").Trim()).Distinct(StringComparer.Ordinal).ToArray(),
            body.Secret?.In?.Trim().ToLowerInvariant() ?? "header",
            body.Secret?.Name?.Trim() ?? "Authorization",
            body.Secret?.Template ?? "Bearer {secret}",
            body.TimeoutSeconds ?? DefaultTimeoutSeconds,
            body.MaxRequestBytes ?? DefaultMaxRequestBytes,
            body.MaxResponseBytes ?? DefaultMaxResponseBytes,
            body.RatePerMinute ?? DefaultRatePerMinute,
            body.Burst ?? ServiceRules.DefaultBurst(body.RatePerMinute ?? DefaultRatePerMinute));
        return (definition, ServiceRules.Validate(definition));
    }

    public async Task<Outcome<ServiceDto>> CreateAsync(ServiceDefinition d, ServiceRequest body, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(body);
        if (await db.NetworkServices.AnyAsync(s => s.Id == d.Id, ct))
        {
            return Refusal.Conflict(ErrorCodes.ServiceExists, $"A service with the id \"{d.Id}\" already exists.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var entity = new NetworkServiceEntity
        {
            Id = d.Id!,
            DisplayName = "",
            BaseUrl = "",
            MethodsJson = "[]",
            PathPrefixesJson = "[]",
            SecretIn = "header",
            SecretName = "",
            SecretTemplate = "",
            CreatedAt = now,
        };
        Apply(entity, d, body, now);
        db.NetworkServices.Add(entity);
        await audit.AppendAsync(actor, ServiceAuditActions.Create, null, AuditDetail(entity), ct);
        return ToDto(entity, await IsSharedConfiguredAsync(entity.Id, ct));
    }

    public async Task<Outcome<ServiceDto>> UpdateAsync(ServiceDefinition d, ServiceRequest body, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(body);
        var entity = await db.NetworkServices.SingleOrDefaultAsync(s => s.Id == d.Id, ct);
        if (entity is null)
        {
            return NotFound(d.Id!);
        }

        Apply(entity, d, body, clock.GetUtcNow().UtcDateTime);
        await audit.AppendAsync(actor, ServiceAuditActions.Update, null, AuditDetail(entity), ct);
        return ToDto(entity, await IsSharedConfiguredAsync(entity.Id, ct));
    }

    public async Task<Refusal?> DeleteAsync(string id, string actor, CancellationToken ct)
    {
        var entity = await db.NetworkServices.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (entity is null)
        {
            return NotFound(id);
        }

        db.NetworkServices.Remove(entity);
        await audit.AppendAsync(actor, ServiceAuditActions.Delete, null, new { serviceId = id }, ct);
        return null;
    }

    public static NetworkService ToModel(NetworkServiceEntity e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.DisplayName, new Uri(e.BaseUrl, UriKind.Absolute), ReadList(e.MethodsJson), ReadList(e.PathPrefixesJson),
            e.SecretIn, e.SecretName, e.SecretTemplate, e.TimeoutSeconds, e.MaxRequestBytes, e.MaxResponseBytes, e.RatePerMinute,
            e.Burst, e.AllowStreaming, e.AllowPrivateNetwork, e.Enabled);
    }

    private static void Apply(NetworkServiceEntity entity, ServiceDefinition d, ServiceRequest body, DateTime now)
    {
        entity.DisplayName = d.DisplayName!;
        entity.BaseUrl = d.BaseUrl!;
        entity.MethodsJson = JsonSerializer.Serialize(d.Methods);
        entity.PathPrefixesJson = JsonSerializer.Serialize(d.PathPrefixes);
        entity.SecretIn = d.SecretIn!;
        entity.SecretName = d.SecretName!;
        entity.SecretTemplate = d.SecretTemplate!;
        entity.TimeoutSeconds = d.TimeoutSeconds;
        entity.MaxRequestBytes = d.MaxRequestBytes;
        entity.MaxResponseBytes = d.MaxResponseBytes;
        entity.RatePerMinute = d.RatePerMinute;
        entity.Burst = d.Burst;
        entity.AllowStreaming = body.AllowStreaming ?? false;
        entity.AllowPrivateNetwork = body.AllowPrivateNetwork ?? false;
        entity.Enabled = body.Enabled ?? false;
        entity.UpdatedAt = now;
    }

    private async Task<HashSet<string>> SharedSecretServicesAsync(CancellationToken ct) =>
        (await db.Secrets.AsNoTracking().Where(s => s.OwnerId == null).Select(s => s.ServiceId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    private Task<bool> IsSharedConfiguredAsync(string id, CancellationToken ct) => db.Secrets.AnyAsync(s => s.ServiceId == id && s.OwnerId == null, ct);

    private static ServiceDto ToDto(NetworkServiceEntity e, bool configured) =>
        new(e.Id, e.DisplayName, e.BaseUrl, [.. ReadList(e.MethodsJson)], [.. ReadList(e.PathPrefixesJson)], new SecretInjectionDto(e.SecretIn, e.SecretName, e.SecretTemplate),
            e.TimeoutSeconds, e.MaxRequestBytes, e.MaxResponseBytes, e.RatePerMinute, e.Burst, e.AllowStreaming, e.AllowPrivateNetwork, e.Enabled, configured);

    private static object AuditDetail(NetworkServiceEntity e) => new
    {
        serviceId = e.Id,
        baseUrl = e.BaseUrl,
        enabled = e.Enabled,
        allowPrivateNetwork = e.AllowPrivateNetwork,
    };

    private static string[] ReadList(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static Refusal NotFound(string id) => Refusal.NotFound(ErrorCodes.ServiceNotFound, $"There is no network service \"{id}\".");
}
