using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Labyrinth.Host.Features.Apps;

/// <summary>
/// App plugins (docs/api.md "Background services", "Plugin APIs", "Plugin logs"): what the page
/// needs to run services and validate calls, the admin's service grants, logs and API
/// documentation, and the Running apps panel.
/// </summary>
internal static class AppsApi
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddSingleton<PluginLogs>();
        services.AddSingleton<ServiceGrantSignals>();
        services.AddScoped<ServiceGrants>();
        services.AddScoped<ApiCallAudit>();
        services.AddSingleton<PageTickets>();
        services.TryAddSingleton<IRunningServices, LocalRunningServices>();
        return services;
    }

    public static IEndpointRouteBuilder MapApps(this IEndpointRouteBuilder app)
    {
        var apps = app.MapGroup("/api/apps").WithTags("Apps").RequireAuthorization();
        apps.MapGet("/", ListApps);
        apps.MapGet("/running", Running);
        apps.MapPost("/running/control", Control);
        apps.MapAppPages();

        var admin = app.MapGroup("/api/admin/plugins/{id}").WithTags("Apps").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/app", Describe);
        admin.MapPut("/service-grants/{capability}", Grant);
        admin.MapDelete("/service-grants/{capability}", Revoke);
        admin.MapGet("/logs", Logs);
        return app;
    }

    /// <summary>
    /// Enabled plugins with services or an API that this person may use, in their version (the
    /// active one, or theirs during a rollout): where each service's frame is and the method schemas
    /// the page validates with.
    /// </summary>
    private static Ok<AppDto[]> ListApps(PluginCatalog catalog, Rollouts.PluginAccess access, CardOrigins origins, CardCapabilities capabilities, HttpContext http)
    {
        var user = http.User.UserId();
        var urls = new CardUrls(origins, http.Request, capabilities, access, user);
        return TypedResults.Ok(catalog.All
            .Where(p => p.IsUsable && access.IsAvailable(user, p.Id))
            .Select(p => (Plugin: p, Version: p.Versions.GetValueOrDefault(access.AssignedVersion(user, p))))
            .Where(x => x.Version is { } v && !x.Plugin.IsKilled(v.Version) && (v.Manifest.Services.Count > 0 || v.Manifest.Api is not null))
            .OrderBy(x => x.Plugin.Id, StringComparer.Ordinal)
            .Select(x => ToDto(x.Plugin.Id, x.Version!, urls.Origin(x.Plugin.Id, x.Version!.Version), urls.Base(x.Plugin, x.Version!.Version)))
            .ToArray());
    }

    /// <summary>
    /// The services in the person's tabs (admins: everyone's with <c>all=true</c>) on every live
    /// instance; in a cluster each row names the instance its tab is connected to.
    /// </summary>
    private static async Task<Results<Ok<RunningServiceDto[]>, ForbidHttpResult>> Running(
        bool? all, IRunningServices services, Bus.IBusCluster cluster, LabyrinthDb db, HttpContext http, CancellationToken ct)
    {
        var everyone = all == true;
        if (everyone && !http.User.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }

        var running = await services.ListAsync(everyone ? null : http.User.UserId(), ct);
        var userIds = running.Select(r => r.UserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName, ct);
        return TypedResults.Ok(running
            .OrderBy(r => r.PluginId, StringComparer.Ordinal).ThenBy(r => r.ServiceId, StringComparer.Ordinal).ThenBy(r => r.Instance, StringComparer.Ordinal).ThenBy(r => r.Since)
            .Select(r => new RunningServiceDto(
                r.UserId, names.GetValueOrDefault(r.UserId, "?"), r.Tab, r.PluginId, r.Version, r.ServiceId, r.Since, r.CallsLastMinute, r.MessagesLastMinute, r.Errors,
                cluster.IsClustered ? r.Instance : null))
            .ToArray());
    }

    /// <summary>
    /// Stop or restart: carried out by the instance whose tabs run the service (<c>instance</c>, or
    /// every instance that runs it when not named), which answers how many tabs it asked.
    /// </summary>
    private static async Task<Results<Ok<ServiceControlResultDto>, ProblemHttpResult, ForbidHttpResult>> Control(
        ServiceControlRequest body, IRunningServices services, PluginCatalog catalog, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        if (body.Action is not ("stop" or "restart") || body.PluginId is not { Length: > 0 } pluginId || catalog.Find(pluginId) is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "Name an installed plugin and an action, \"stop\" or \"restart\".");
        }

        var self = http.User.UserId();
        var user = body.UserId ?? self;
        if (user != self && !http.User.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }

        var control = new ServiceControl(user, pluginId, body.ServiceId, body.Action, body.Tab);
        if (!control.IsValid || body.Instance is { Length: > 200 })
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "The service, tab or instance name is too long.");
        }

        var instances = body.Instance is { } named
            ? [named]
            : (await services.ListAsync(user, ct))
                .Where(r => r.PluginId == pluginId && (body.ServiceId is null || r.ServiceId == body.ServiceId) && (body.Tab is null || r.Tab == body.Tab))
                .Select(r => r.Instance).Distinct(StringComparer.Ordinal).ToArray();
        var count = 0;
        try
        {
            foreach (var instance in instances)
            {
                count += await services.ControlAsync(instance, control, ct);
            }
        }
        catch (ServiceInstanceUnavailableException ex)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceInstanceUnavailable, ex.Message);
        }

        if (count == 0)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ServiceNotRunning,
                body.Tab is null ? "That service is not running in any tab now." : "That tab runs none of this plugin's services now.");
        }

        await audit.AppendAsync(http.Actor(), AppAuditActions.ServiceControl, pluginId,
            new { service = body.ServiceId, action = body.Action, userId = user, tabs = count, instance = body.Instance }, ct);
        return TypedResults.Ok(new ServiceControlResultDto(count));
    }

    private static async Task<Results<Ok<AppAdminDto>, ProblemHttpResult>> Describe(
        string id, PluginCatalog catalog, ServiceGrants grants, CardOrigins origins, CardCapabilities capabilities, Rollouts.PluginAccess access, HttpContext http, CancellationToken ct)
    {
        if (catalog.Find(id) is not { Active: { } active } plugin || await grants.ListAsync(id, ct) is not { } list)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginNotFound, $"No plugin \"{id}\" is installed.");
        }

        var urls = new CardUrls(origins, http.Request, capabilities, access, http.User.UserId());
        var app = ToDto(id, active, urls.Origin(id, active.Version), urls.Base(plugin, active.Version));
        return TypedResults.Ok(new AppAdminDto(id, active.Version, app.Services, app.Api, list,
            [.. active.Manifest.Api?.Methods.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new ApiMethodDocDto(m.Name, m.Description, m.Input, m.Output,
                [.. m.Examples.Select(e => new ApiExampleDto(e.Title, e.Input, e.Output))])) ?? []]));
    }

    private static async Task<Results<Ok<ServiceGrantDto>, ProblemHttpResult>> Grant(string id, string capability, ServiceGrants grants, HttpContext http, CancellationToken ct)
    {
        return await grants.GrantAsync(id, capability, http.Actor(), ct).OkOrProblemAsync();
    }

    private static async Task<NoContent> Revoke(string id, string capability, ServiceGrants grants, BusRelay relay, HttpContext http, CancellationToken ct)
    {
        await grants.RevokeAsync(id, capability, http.Actor(), ct);
        return TypedResults.NoContent();
    }

    private static Results<Ok<PluginLogLineDto[]>, ProblemHttpResult> Logs(string id, string? level, int? limit, PluginLogs logs)
    {
        if (level is not null && !PluginLogs.Levels.Contains(level))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "level is info, warn or error.");
        }

        return TypedResults.Ok(logs.Read(id, level, limit ?? 200));
    }

    /// <param name="cardBase">The person's capability URL for this version (<see cref="CardUrls.Base"/>); service frames live under it.</param>
    private static AppDto ToDto(string pluginId, InstalledVersion version, string origin, string cardBase)
    {
        var manifest = version.Manifest;
        return new AppDto(
            pluginId,
            version.Version,
            manifest.Name,
            [.. manifest.Services.Select(s => new AppServiceDto(
                s.Id, cardBase + ServiceFrameUrl(pluginId, version.Version, s), origin, s.Capabilities, new TopicsDto(s.Topics.Publish, s.Topics.Subscribe)))],
            manifest.Api is { } api
                ? new AppApiDto(api.Version, api.ServiceId, api.Methods.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToDictionary(m => m.Name, m => new AppMethodDto(m.Input, m.Output), StringComparer.Ordinal))
                : null)
        {
            Dependencies = [.. manifest.Dependencies.Keys.Order(StringComparer.Ordinal)],
        };
    }

    public static string ServiceFrameUrl(string pluginId, string version, ServiceDefinition service) => $"/cards/service/{pluginId}/{version}/{service.Id}";
}
