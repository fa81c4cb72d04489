using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

using Labyrinth.Host.Features.Cluster;

namespace Labyrinth.Host.Features.Rollouts;

/// <summary>
/// Per-plugin availability and staged rollouts (docs/api.md, "Availability and staged rollouts"),
/// admins only; and the card-error report browsers send for the rollout figures.
/// </summary>
internal static class RolloutsApi
{
    public static IServiceCollection AddRollouts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RolloutOptions>()
            .Bind(configuration.GetSection("Labyrinth:Rollouts"))
            .Validate(o => Core.Rollouts.RolloutRules.CheckPolicy(o.MinOpens, o.MarginPerThousand) is null,
                "Labyrinth:Rollouts: MinOpens is 1–100000 and MarginPerThousand 0–1000.")
            .ValidateOnStart();
        services.AddSingleton<PluginAccess>();
        services.AddSingleton<RolloutReportLimiter>();
        services.AddScoped<RolloutService>();
        services.AddScoped<RolloutRecorder>();
        return services;
    }

    public static IEndpointRouteBuilder MapRollouts(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/plugins/{id}").WithTags("Plugin governance").RequireAuthorization(AuthApi.AdminPolicy)
            .RequireClusterCoordination();
        admin.MapPut("/availability", (string id, AvailabilityRequest body, RolloutService r, HttpContext http, CancellationToken ct) =>
            r.SetAvailabilityAsync(id, body.Groups, http.Actor(), ct).OkOrProblemAsync());
        admin.MapGet("/rollout", (string id, RolloutService r, CancellationToken ct) => r.GetAsync(id, ct).OkOrProblemAsync());
        admin.MapPost("/rollout", (string id, StartRolloutRequest body, RolloutService r, HttpContext http, CancellationToken ct) =>
            r.StartAsync(id, body, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/rollout/promote", (string id, RolloutService r, HttpContext http, CancellationToken ct) =>
            r.PromoteAsync(id, http.Actor(), ct).OkOrProblemAsync());
        admin.MapPost("/rollout/rollback", (string id, RolloutService r, HttpContext http, CancellationToken ct) =>
            r.RollBackAsync(id, http.Actor(), ct).OkOrProblemAsync());
        return app;
    }
}
