using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

using Labyrinth.Host.Features.Cluster;

namespace Labyrinth.Host.Features.Governance;

/// <summary>The plugin governance admin API (docs/api.md, "Plugin governance"). Admins only.</summary>
internal static class GovernanceApi
{
    public static IServiceCollection AddGovernance(this IServiceCollection services)
    {
        services.AddSingleton<GovernanceGate>();
        services.AddSingleton<DevInstallPolicy>();
        services.AddSingleton<PluginEvents>();
        services.AddScoped<PluginLifecycle>();
        services.AddScoped<TrustPolicy>();
        services.AddSignalR();
        return services;
    }

    public static IEndpointRouteBuilder MapGovernance(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Plugin governance").RequireAuthorization(AuthApi.AdminPolicy)
            .RequireClusterCoordination();
        admin.MapGet("/plugins", async (PluginLifecycle plugins, CancellationToken ct) => TypedResults.Ok(await plugins.ListAsync(ct)));
        admin.MapPost("/plugins", Upload);
        admin.MapPost("/plugins/dev", UploadDevelopment);
        admin.MapPost("/plugins/dev/{id}/build-failed", DevBuildFailed);
        admin.MapPost("/plugins/{id}/enable", (string id, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
            plugins.EnableAsync(id, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/plugins/{id}/disable", (string id, [FromBody] DisableRequest? body, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
            plugins.DisableAsync(id, body?.Cascade ?? false, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/plugins/{id}/kill", (string id, [FromBody] KillRequest? body, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
            plugins.KillAsync(SplitId(id).Id, body?.Version ?? SplitId(id).Version, body?.Reason, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/plugins/{id}/unkill", (string id, [FromBody] UnkillRequest? body, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
            plugins.UnkillAsync(SplitId(id).Id, body?.Version ?? SplitId(id).Version, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/plugins/{id}/activate", (string id, ActivateRequest body, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
            plugins.ActivateAsync(id, body.Version, body.Rollback ?? false, http.Actor(), ct).OkOrProblemAsync());
        admin.MapDelete("/plugins/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, string? version, string? data, PluginLifecycle plugins, HttpContext http, CancellationToken ct) =>
        {
            if (data is not (null or "keep" or "delete") || (data == "delete" && version is not null))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
                    "data is \"keep\" or \"delete\", and \"delete\" only when the whole plugin is uninstalled (no version).");
            }

            var outcome = await plugins.UninstallAsync(id, version, http.Actor(), ct, deleteData: data == "delete");
            return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
        });

        admin.MapGet("/trust", async (TrustPolicy trust, CancellationToken ct) => TypedResults.Ok(await trust.ListTrustAsync(ct)));
        admin.MapPost("/trust", async Task<Results<Created<TrustedKeyDto>, ProblemHttpResult>> (AddTrustRequest body, TrustPolicy trust, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await trust.AddTrustAsync(body, http.Actor(), ct);
            return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Created($"/api/admin/trust/{outcome.Value!.KeyId}", outcome.Value);
        });
        admin.MapDelete("/trust/{keyId}", async Task<Results<NoContent, ProblemHttpResult>> (string keyId, TrustPolicy trust, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await trust.RemoveTrustAsync(keyId, http.Actor(), ct);
            return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
        });

        admin.MapGet("/policy", async (TrustPolicy trust, DevInstallPolicy dev, CancellationToken ct) => TypedResults.Ok(await trust.GetPolicyAsync(ct) with { DevInstalls = dev.Describe() }));
        admin.MapPut("/policy", (PolicyRequest body, TrustPolicy trust, HttpContext http, CancellationToken ct) =>
            trust.SetPolicyAsync(body, http.Actor(), ct).OkOrProblemAsync());

        app.MapHub<PluginsHub>(PluginEvents.HubPath).RequireAuthorization();
        return app;
    }

    /// <summary>An admin's upload: installed and made active, or staged for a group or a share of people first.</summary>
    private static async Task<Results<Created<InstallResultDto>, Ok<InstallResultDto>, ProblemHttpResult>> Upload(
        HttpContext http, bool? rollback, int? rolloutPercent, string? rolloutGroups, int? rolloutMinOpens, PluginStore store, PluginLifecycle plugins,
        RolloutService rollouts, HostPaths paths, LabyrinthMetrics metrics, AuditLog audit, CancellationToken ct)
    {
        // ?rolloutPercent=… or ?rolloutGroups=id,id: install without activating, then stage it.
        StartRolloutRequest? staged = null;
        if (rolloutPercent is not null || rolloutGroups is not null)
        {
            var groups = rolloutGroups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Guid[]? groupIds = null;
            if (groups is not null)
            {
                groupIds = new Guid[groups.Length];
                for (var i = 0; i < groups.Length; i++)
                {
                    if (!Guid.TryParse(groups[i], out groupIds[i]))
                    {
                        return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.RolloutInvalid, "rolloutGroups is a comma-separated list of group ids.");
                    }
                }
            }

            staged = new StartRolloutRequest(null, groupIds, rolloutPercent, rolloutMinOpens, null);
        }

        return await ImportUploadAsync(http, new ImportRequest(http.Actor(), rollback ?? false, KeepActive: staged is not null), staged, store, plugins, rollouts, paths, metrics, audit, ct);
    }

    /// <summary>
    /// <c>labyrinth plugin dev</c>'s upload: an <c>x.y.z-dev.N</c> version, signed or not, made
    /// active at once (whatever its precedence), while the host allows development installs. Only
    /// the newest <see cref="DevInstallsDto.Kept"/> development versions of the plugin stay
    /// installed: older ones are uninstalled (audited) after each install.
    /// </summary>
    private static async Task<Results<Created<InstallResultDto>, Ok<InstallResultDto>, ProblemHttpResult>> UploadDevelopment(
        HttpContext http, DevInstallPolicy policy, PluginStore store, PluginLifecycle plugins, RolloutService rollouts, HostPaths paths, LabyrinthMetrics metrics, AuditLog audit, CancellationToken ct)
    {
        var dev = policy.Describe();
        if (!dev.Allowed)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.DevInstallsOff, "Development installs are off on this host. " + dev.Reason);
        }

        var result = await ImportUploadAsync(http, new ImportRequest(http.Actor(), AllowRollback: true) { Development = true }, null, store, plugins, rollouts, paths, metrics, audit, ct);
        if (result.Result is not Created<InstallResultDto> { Value: { } installed })
        {
            return result;
        }

        var devVersions = installed.Plugin.Versions
            .Where(v => DevInstallPolicy.IsDevVersion(v.Version) && !v.Active)
            .OrderByDescending(v => v.InstalledAt)
            .Skip(dev.Kept - 1)
            .Select(v => v.Version)
            .ToList();
        foreach (var old in devVersions)
        {
            await plugins.UninstallAsync(installed.Installed.Id, old, http.Actor(), ct);
        }

        var plugin = devVersions.Count == 0 ? installed.Plugin : (await plugins.FindAsync(installed.Installed.Id, ct))!;
        return TypedResults.Created($"/api/admin/plugins/{installed.Installed.Id}", installed with { Plugin = plugin });
    }

    /// <summary>
    /// <c>labyrinth plugin dev</c> reports a failed build: the admins' open cards of the plugin show
    /// the compiler's message over the last good version (which stays installed and live). Nothing
    /// is stored; the next development install clears the message in the browsers.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DevBuildFailed(
        string id, DevBuildFailedRequest body, DevInstallPolicy policy, PluginEvents events)
    {
        var dev = policy.Describe();
        if (!dev.Allowed)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.DevInstallsOff, "Development installs are off on this host. " + dev.Reason);
        }

        if (!ManifestValidator.IsPluginId(id))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "The plugin id must look like com.example.dice.");
        }

        if (string.IsNullOrWhiteSpace(body?.Message))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "Send the build's error as { \"message\": \"…\" }.");
        }

        // A compiler can print pages; the card shows the start, the terminal has the rest.
        var message = body.Message.Length <= DevBuildFailedRequest.MaxMessageChars ? body.Message : body.Message[..DevBuildFailedRequest.MaxMessageChars] + "\n…";
        await events.DevBuildFailedAsync(id, message);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The one upload path: reads the body into a temp file with a hard cap (never trusting
    /// Content-Length alone), imports it, and stages it when <paramref name="staged"/> says so.
    /// </summary>
    private static async Task<Results<Created<InstallResultDto>, Ok<InstallResultDto>, ProblemHttpResult>> ImportUploadAsync(
        HttpContext http, ImportRequest request, StartRolloutRequest? staged, PluginStore store, PluginLifecycle plugins, RolloutService rollouts,
        HostPaths paths, LabyrinthMetrics metrics, AuditLog audit, CancellationToken ct)
    {
        var max = PackageLimits.Default.MaxCompressedBytes;
        var temp = Path.Combine(paths.PluginStore, ".upload-" + Guid.NewGuid().ToString("N"));
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var tooLarge = http.Request.ContentLength > max;
        if (!tooLarge)
        {
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
            {
                total += n;
                if (total > max)
                {
                    tooLarge = true;
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        }

        if (tooLarge)
        {
            metrics.PluginRejected([ErrorCodes.PackageTooLarge]);
            await audit.AppendAsync(http.Actor(), AuditActions.InstallRejected, null, new { codes = new[] { ErrorCodes.PackageTooLarge }, problemCount = 1 }, ct);
            var message = $"The package is larger than {max / (1024 * 1024)} MiB.";
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PackageTooLarge, message,
                new Dictionary<string, object?> { ["problems"] = new[] { new ImportProblem(ErrorCodes.PackageTooLarge, null, null, message) } });
        }

        file.Position = 0;
        var outcome = await store.ImportAsync(file, request, ct);
        if (outcome.Status == ImportStatus.Rejected)
        {
            var detail = outcome.Problems.Count == 1 ? outcome.Problems[0].Message : $"The package was refused with {outcome.Problems.Count} problems.";
            return Problems.Create(outcome.HttpStatus, outcome.Code, detail, new Dictionary<string, object?>
            {
                ["problems"] = outcome.Problems.ToArray(),
                ["pluginId"] = outcome.PluginId,
                ["version"] = outcome.Version,
            });
        }

        if (staged is not null)
        {
            var started = await rollouts.StartAsync(outcome.PluginId!, staged with { Version = outcome.Version }, http.Actor(), ct);
            if (started.Refusal is { } refused)
            {
                // The version stays installed (inactive); say so beside why it was not staged.
                return (refused with { Detail = $"{outcome.PluginId}@{outcome.Version} is installed but not rolled out: {refused.Detail}" }).ToProblem();
            }
        }

        var dto = new InstallResultDto((await plugins.FindAsync(outcome.PluginId!, ct))!, new InstalledRefDto(outcome.PluginId!, outcome.Version!));
        return outcome.Status == ImportStatus.Installed
            ? TypedResults.Created($"/api/admin/plugins/{outcome.PluginId}", dto)
            : TypedResults.Ok(dto);
    }



    /// <summary>"id@version" in the path is the same as { version } in the body.</summary>
    private static (string Id, string? Version) SplitId(string id)
    {
        var at = id.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (id, null) : (id[..at], id[(at + 1)..]);
    }

}
