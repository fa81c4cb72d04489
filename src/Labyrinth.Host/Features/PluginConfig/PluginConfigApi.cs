using System.Text.Json.Nodes;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.PluginConfig;

/// <summary>
/// Plugin configuration (docs/api.md "Plugin configuration"): admins read and save it on the
/// plugin's page; cards and services receive the non-secret values through the page.
/// </summary>
internal static class PluginConfigApi
{
    public static IServiceCollection AddPluginConfig(this IServiceCollection services)
    {
        services.AddScoped<PluginConfigService>();
        return services;
    }

    public static IEndpointRouteBuilder MapPluginConfig(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/plugins/{id}/config").WithTags("Apps").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/", (string id, PluginConfigService config, CancellationToken ct) => config.GetAsync(id, ct).OkOrProblemAsync());
        admin.MapPut("/", Save);

        app.MapGet("/api/apps/{id}/config", Effective).WithTags("Apps").RequireAuthorization();
        return app;
    }

    private static async Task<Results<Ok<PluginConfigDto>, ProblemHttpResult>> Save(
        string id, PluginConfigRequest body, PluginConfigService config, HttpContext http, CancellationToken ct) =>
        await config.SaveAsync(id, body.Values, body.IfRevision, http.Actor(), ct).OkOrProblemAsync();

    /// <summary>The values a card or service of the plugin sees; the same 404 for a plugin that is not installed, not usable or not available to the caller.</summary>
    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Effective(
        string id, PluginCatalog catalog, PluginAccess access, PluginConfigService config, HttpContext http, CancellationToken ct)
    {
        if (catalog.Find(id) is not { IsUsable: true } || !access.IsAvailable(http.User.UserId(), id))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginNotFound, $"No plugin \"{id}\" is available to you.");
        }

        return TypedResults.Ok(await config.EffectiveAsync(id, ct));
    }
}
