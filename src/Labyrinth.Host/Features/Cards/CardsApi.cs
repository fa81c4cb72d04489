using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Labyrinth.Host.Features.Cards;

internal static partial class CardsApi
{
    public static IServiceCollection AddCards(this IServiceCollection services)
    {
        services.AddScoped<CardAccess>();
        services.AddSingleton<CardGrantSignals>();
        // The broker (issue 6) registers the real status; TryAdd keeps whichever came first.
        services.TryAddScoped<ICardNetworkStatus, DefaultCardNetworkStatus>();
        return services;
    }

    public static IEndpointRouteBuilder MapCards(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
