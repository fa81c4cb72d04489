using Labyrinth.Core.Broker;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Vault;

/// <summary>
/// The vault API (docs/api.md, "Vault, services and the network broker"): admins manage shared
/// secrets and see every secret's metadata; every signed-in user manages their own. Write-only:
/// no endpoint ever answers a value.
/// </summary>
internal static class VaultApi
{
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddScoped<VaultService>();
        return services;
    }

    public static IEndpointRouteBuilder MapVault(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/secrets").WithTags("Vault").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/", async (VaultService vault, CancellationToken ct) => TypedResults.Ok(await vault.ListAllAsync(ct)));
        admin.MapPost("/", (CreateSecretRequest body, VaultService vault, HttpContext http, CancellationToken ct) => Create(body, null, vault, http, ct));
        admin.MapPut("/{id:guid}", (Guid id, RotateSecretRequest body, VaultService vault, HttpContext http, CancellationToken ct) => Rotate(id, body, admin: true, vault, http, ct));
        admin.MapDelete("/{id:guid}", (Guid id, VaultService vault, HttpContext http, CancellationToken ct) => Delete(id, admin: true, vault, http, ct));

        var own = app.MapGroup("/api/secrets").WithTags("Vault").RequireAuthorization();
        own.MapGet("/", async (VaultService vault, HttpContext http, CancellationToken ct) => TypedResults.Ok(await vault.ListOwnAsync(http.User.UserId(), ct)));
        own.MapPost("/", (CreateSecretRequest body, VaultService vault, HttpContext http, CancellationToken ct) => Create(body, http.User.UserId(), vault, http, ct));
        own.MapPut("/{id:guid}", (Guid id, RotateSecretRequest body, VaultService vault, HttpContext http, CancellationToken ct) => Rotate(id, body, admin: false, vault, http, ct));
        own.MapDelete("/{id:guid}", (Guid id, VaultService vault, HttpContext http, CancellationToken ct) => Delete(id, admin: false, vault, http, ct));
        return app;
    }

    private static async Task<Results<Created<SecretDto>, ValidationProblem, ProblemHttpResult>> Create(
        CreateSecretRequest body, Guid? ownerId, VaultService vault, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ServiceRules.CheckSecretName(body.Name) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        if (!ServiceRules.IsValidId(body.ServiceId))
        {
            errors["serviceId"] = ["Name the service the secret is for, e.g. \"openai\"."];
        }

        if (ServiceRules.CheckSecretValue(body.Value) is { } valueError)
        {
            errors["value"] = [valueError];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The secret is not valid.", errors);
        }

        var outcome = await vault.CreateAsync(ownerId, body.Name!, body.ServiceId!, body.Value!, http.Actor(), ct);
        if (outcome.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }

        var location = (ownerId is null ? "/api/admin/secrets/" : "/api/secrets/") + outcome.Value!.Id;
        return TypedResults.Created(location, outcome.Value);
    }

    private static async Task<Results<Ok<SecretDto>, ValidationProblem, ProblemHttpResult>> Rotate(
        Guid id, RotateSecretRequest body, bool admin, VaultService vault, HttpContext http, CancellationToken ct)
    {
        if (ServiceRules.CheckSecretValue(body.Value) is { } valueError)
        {
            return Problems.Validation("The secret is not valid.", "value", valueError);
        }

        var outcome = await vault.RotateAsync(id, admin ? null : http.User.UserId(), admin, body.Value!, http.Actor(), ct);
        return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, bool admin, VaultService vault, HttpContext http, CancellationToken ct)
    {
        var refusal = await vault.DeleteAsync(id, admin ? null : http.User.UserId(), admin, http.Actor(), ct);
        return refusal is null ? TypedResults.NoContent() : refusal.ToProblem();
    }
}
