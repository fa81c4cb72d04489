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

namespace Labyrinth.Host.Features.Governance;

/// <summary>The plugin governance admin API (docs/api.md, "Plugin governance"). Admins only.</summary>
internal static class GovernanceApi
{
    public static IServiceCollection AddGovernance(this IServiceCollection services)
    {
        services.AddSingleton<GovernanceGate>();
        services.AddSingleton<DevInstallPolicy>();
        services.AddSingleton<PluginEvents>();
        services.AddScoped<GovernanceService>();
        services.AddSignalR();
        return services;
    }

    public static IEndpointRouteBuilder MapGovernance(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Plugin governance").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/plugins", async (GovernanceService g, CancellationToken ct) => TypedResults.Ok(await g.ListAsync(ct)));
        admin.MapPost("/plugins", Upload);
        admin.MapPost("/plugins/dev", UploadDevelopment);
        admin.MapPost("/plugins/dev/{id}/build-failed", DevBuildFailed);
        admin.MapPost("/plugins/{id}/enable", (string id, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.EnableAsync(id, Actor(http), ct)));
        admin.MapPost("/plugins/{id}/disable", (string id, [FromBody] DisableRequest? body, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.DisableAsync(id, body?.Cascade ?? false, Actor(http), ct)));
        admin.MapPost("/plugins/{id}/kill", (string id, [FromBody] KillRequest? body, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.KillAsync(SplitId(id).Id, body?.Version ?? SplitId(id).Version, body?.Reason, Actor(http), ct)));
        admin.MapPost("/plugins/{id}/unkill", (string id, [FromBody] UnkillRequest? body, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.UnkillAsync(SplitId(id).Id, body?.Version ?? SplitId(id).Version, Actor(http), ct)));
        admin.MapPost("/plugins/{id}/activate", (string id, ActivateRequest body, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.ActivateAsync(id, body.Version, body.Rollback ?? false, Actor(http), ct)));
        admin.MapDelete("/plugins/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, string? version, GovernanceService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.UninstallAsync(id, version, Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.NoContent();
        });

        admin.MapGet("/trust", async (GovernanceService g, CancellationToken ct) => TypedResults.Ok(await g.ListTrustAsync(ct)));
        admin.MapPost("/trust", async Task<Results<Created<TrustedKeyDto>, ProblemHttpResult>> (AddTrustRequest body, GovernanceService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.AddTrustAsync(body, Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.Created($"/api/admin/trust/{outcome.Value!.KeyId}", outcome.Value);
        });
        admin.MapDelete("/trust/{keyId}", async Task<Results<NoContent, ProblemHttpResult>> (string keyId, GovernanceService g, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await g.RemoveTrustAsync(keyId, Actor(http), ct);
            return outcome.Problem is { } p ? p : TypedResults.NoContent();
        });

        admin.MapGet("/policy", async (GovernanceService g, DevInstallPolicy dev, CancellationToken ct) => TypedResults.Ok(await g.GetPolicyAsync(ct) with { DevInstalls = dev.Describe() }));
        admin.MapPut("/policy", (PolicyRequest body, GovernanceService g, HttpContext http, CancellationToken ct) =>
            Answer(g.SetPolicyAsync(body, Actor(http), ct)));

        app.MapHub<PluginsHub>(PluginEvents.HubPath).RequireAuthorization();
        return app;
    }

    /// <summary>An admin's upload: installed and made active, or staged for a group or a share of people first.</summary>
    private static async Task<Results<Created<InstallResultDto>, Ok<InstallResultDto>, ProblemHttpResult>> Upload(
        HttpContext http, bool? rollback, int? rolloutPercent, string? rolloutGroups, int? rolloutMinOpens, PluginStore store, GovernanceService governance,
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

        return await ImportUploadAsync(http, new ImportRequest(Actor(http), rollback ?? false, KeepActive: staged is not null), staged, store, governance, rollouts, paths, metrics, audit, ct);
    }

    /// <summary>
    /// <c>labyrinth plugin dev</c>'s upload: an <c>x.y.z-dev.N</c> version, signed or not, made
    /// active at once (whatever its precedence), while the host allows development installs. Only
    /// the newest <see cref="DevInstallsDto.Kept"/> development versions of the plugin stay
    /// installed: older ones are uninstalled (audited) after each install.
    /// </summary>
    private static async Task<Results<Created<InstallResultDto>, Ok<InstallResultDto>, ProblemHttpResult>> UploadDevelopment(
        HttpContext http, DevInstallPolicy policy, PluginStore store, GovernanceService governance, RolloutService rollouts, HostPaths paths, LabyrinthMetrics metrics, AuditLog audit, CancellationToken ct)
    {
        var dev = policy.Describe();
        if (!dev.Allowed)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.DevInstallsOff, "Development installs are off on this host. " + dev.Reason);
        }

        var result = await ImportUploadAsync(http, new ImportRequest(Actor(http), AllowRollback: true) { Development = true }, null, store, governance, rollouts, paths, metrics, audit, ct);
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
            await governance.UninstallAsync(installed.Installed.Id, old, Actor(http), ct);
        }

        var plugin = devVersions.Count == 0 ? installed.Plugin : (await governance.FindAsync(installed.Installed.Id, ct))!;
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
        HttpContext http, ImportRequest request, StartRolloutRequest? staged, PluginStore store, GovernanceService governance, RolloutService rollouts,
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
            await audit.AppendAsync(Actor(http), AuditActions.InstallRejected, null, new { codes = new[] { ErrorCodes.PackageTooLarge }, problemCount = 1 }, ct);
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
            var started = await rollouts.StartAsync(outcome.PluginId!, staged with { Version = outcome.Version }, Actor(http), ct);
            if (started.Problem is { } refused)
            {
                // The version stays installed (inactive); say so beside why it was not staged.
                return Problems.Create(refused.StatusCode, Code(refused),
                    $"{outcome.PluginId}@{outcome.Version} is installed but not rolled out: {refused.ProblemDetails.Detail}");
            }
        }

        var dto = new InstallResultDto((await governance.FindAsync(outcome.PluginId!, ct))!, new InstalledRefDto(outcome.PluginId!, outcome.Version!));
        return outcome.Status == ImportStatus.Installed
            ? TypedResults.Created($"/api/admin/plugins/{outcome.PluginId}", dto)
            : TypedResults.Ok(dto);
    }

    private static string Code(ProblemHttpResult problem) =>
        problem.ProblemDetails.Extensions.TryGetValue("code", out var code) && code is string s ? s : ErrorCodes.RolloutInvalid;

    private static async Task<Results<Ok<T>, ProblemHttpResult>> Answer<T>(Task<Outcome<T>> task)
    {
        var outcome = await task;
        return outcome.Problem is { } p ? p : TypedResults.Ok(outcome.Value!);
    }

    /// <summary>"id@version" in the path is the same as { version } in the body.</summary>
    private static (string Id, string? Version) SplitId(string id)
    {
        var at = id.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (id, null) : (id[..at], id[(at + 1)..]);
    }

    public static string Actor(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.Identity?.Name ?? "unknown";
    }
}
