using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Services;

/// <summary>Network service definitions: admins define them; members see which exist and whether they work.</summary>
internal static class ServicesApi
{
    public static IServiceCollection AddNetworkServices(this IServiceCollection services)
    {
        services.AddScoped<NetworkServices>();
        services.AddHostedService<OpenAiServiceSeeder>();
        return services;
    }

    public static IEndpointRouteBuilder MapNetworkServices(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/services").WithTags("Network services").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapGet("/", async (NetworkServices services, CancellationToken ct) => TypedResults.Ok(await services.ListAsync(ct)));
        admin.MapPost("/", Create);
        admin.MapPut("/{id}", Update);
        admin.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, NetworkServices services, HttpContext http, CancellationToken ct) =>
        {
            var refusal = await services.DeleteAsync(id, http.Actor(), ct);
            return refusal is null ? TypedResults.NoContent() : refusal.ToProblem();
        });

        app.MapGet("/api/services", async (NetworkServices services, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(await services.ListForMemberAsync(http.User.UserId(), ct)))
            .WithTags("Network services").RequireAuthorization();
        return app;
    }

    private static async Task<Results<Created<ServiceDto>, ValidationProblem, ProblemHttpResult>> Create(
        ServiceRequest body, NetworkServices services, HttpContext http, CancellationToken ct)
    {
        var (definition, errors) = NetworkServices.Check(body, null);
        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The service definition is not valid.", errors);
        }

        var outcome = await services.CreateAsync(definition, body, http.Actor(), ct);
        return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Created($"/api/admin/services/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<ServiceDto>, ValidationProblem, ProblemHttpResult>> Update(
        string id, ServiceRequest body, NetworkServices services, HttpContext http, CancellationToken ct)
    {
        var (definition, errors) = NetworkServices.Check(body, id);
        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The service definition is not valid.", errors);
        }

        var outcome = await services.UpdateAsync(definition, body, http.Actor(), ct);
        return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Ok(outcome.Value!);
    }
}
