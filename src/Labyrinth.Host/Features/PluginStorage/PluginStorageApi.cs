using Labyrinth.Core.Errors;
using Labyrinth.Core.Storage;
using Labyrinth.Host.Features.Apps;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.PluginStorage;

/// <summary>
/// Plugin storage (docs/api.md "Plugin storage"). A card reaches it through its card route (the
/// card group's filter proves the card is the caller's; the person granted the capability on it),
/// a service through <c>/api/apps/{id}/storage</c> (an admin granted the plugin's services the
/// capability). Either way the plugin and the person come from the server's records, never from
/// the body.
/// </summary>
internal static class PluginStorageApi
{
    public static IServiceCollection AddPluginStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PluginStorageOptions>(configuration.GetSection(PluginStorageOptions.Section));
        services.AddScoped<PluginStorageService>();
        return services;
    }

    public static IEndpointRouteBuilder MapPluginStorage(this IEndpointRouteBuilder app)
    {
        app.MapCardGroup().MapPost("/storage", CardStorage);
        app.MapPost("/api/apps/{id}/storage", ServiceStorage).WithTags("Apps").RequireAuthorization();
        app.MapGet("/api/admin/plugins/{id}/storage", async (string id, PluginStorageService storage, CancellationToken ct) => TypedResults.Ok(await storage.UsageAsync(id, ct)))
            .WithTags("Apps").RequireAuthorization(AuthApi.AdminPolicy);
        return app;
    }

    private static async Task<Results<Ok<object?>, ProblemHttpResult>> CardStorage(
        StorageOperation body, HttpContext http, CardAccess access, ServiceGrants grants, PluginStorageService storage, CancellationToken ct)
    {
        var card = http.Card();
        if (card.Stopped)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CardPluginStopped, "This card's plugin is disabled or stopped by an admin, so it cannot use its storage.");
        }

        var who = new StoragePrincipal(
            card.PluginId,
            card.UserId,
            await access.IsGrantedAsync(card, StorageRules.ReadCapability, ct),
            await access.IsGrantedAsync(card, StorageRules.WriteCapability, ct),
            card.Requests(StorageRules.WorkspaceWriteCapability) && await grants.IsGrantedAsync(card.PluginId, StorageRules.WorkspaceWriteCapability, ct));
        return await RunAsync(storage, who, body, ct);
    }

    private static async Task<Results<Ok<object?>, ProblemHttpResult>> ServiceStorage(
        string id, StorageOperation body, HttpContext http, PluginCatalog catalog, PluginAccess access, ServiceGrants grants, PluginStorageService storage,
        CancellationToken ct)
    {
        var user = http.User.UserId();
        if (catalog.Find(id) is not { IsUsable: true } || !access.IsAvailable(user, id))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginNotFound, $"No plugin \"{id}\" is available to you.");
        }

        // Services only: a card's own grants go through its card route.
        var who = new StoragePrincipal(
            id,
            user,
            await grants.IsServiceGrantedAsync(id, StorageRules.ReadCapability, ct),
            await grants.IsServiceGrantedAsync(id, StorageRules.WriteCapability, ct),
            await grants.IsServiceGrantedAsync(id, StorageRules.WorkspaceWriteCapability, ct));
        return await RunAsync(storage, who, body, ct);
    }

    private static async Task<Results<Ok<object?>, ProblemHttpResult>> RunAsync(PluginStorageService storage, StoragePrincipal who, StorageOperation op, CancellationToken ct)
    {
        var scope = op.Scope ?? StorageRules.UserScope;
        var outcome = op.Op switch
        {
            "get" => Box(await storage.GetAsync(who, scope, op.Key ?? "", ct)),
            "list" => Box(await storage.ListAsync(who, scope, op.Prefix ?? "", ct)),
            "set" => Box(await storage.SetAsync(who, scope, op.Key ?? "", op.Value, op.IfVersion, ct)),
            "delete" => Box(await storage.DeleteAsync(who, scope, op.Key ?? "", op.IfVersion, ct)),
            _ => new Outcome<object?>(null, Refusal.Invalid(ErrorCodes.StorageInvalid, "op is \"get\", \"set\", \"delete\" or \"list\".")),
        };
        if (outcome.Refusal is { } refusal)
        {
            return refusal.Code == ErrorCodes.StorageNotGranted
                ? Problems.Create(StatusCodes.Status403Forbidden, refusal.Code, refusal.Detail)
                : refusal.ToProblem();
        }

        return TypedResults.Ok<object?>(outcome.Value);
    }

    private static Outcome<object?> Box<T>(Outcome<T> o) => new(o.Value, o.Refusal);
}
