using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Cards;

/// <summary>
/// The card → host message rate the page enforces per card (token bucket), bound from
/// <c>Labyrinth:Bridge</c>. The page is the only place a card's messages arrive, so the server
/// publishes the numbers and the page applies them.
/// </summary>
internal sealed class BridgeOptions
{
    public const string Section = "Labyrinth:Bridge";

    /// <summary>Sustained messages per second per card (default 100).</summary>
    public int MessagesPerSecond { get; set; } = 100;

    /// <summary>Bucket size: how many messages a card may send in a burst (default 200).</summary>
    public int Burst { get; set; } = 200;
}

internal sealed record BridgeLimitsDto(int MessagesPerSecond, int Burst, Bus.BusLimitsDto Bus);

internal static class BridgeLimitsApi
{
    public static IServiceCollection AddBridgeLimits(this IServiceCollection services)
    {
        services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section)
            .Validate(o => o.MessagesPerSecond is >= 1 and <= 10_000, "Labyrinth:Bridge:MessagesPerSecond must be between 1 and 10000.")
            .Validate(o => o.Burst >= o.MessagesPerSecond && o.Burst <= 100_000, "Labyrinth:Bridge:Burst must be at least MessagesPerSecond and at most 100000.")
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeLimits(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cards/limits", (IOptions<BridgeOptions> options, IOptions<Bus.BusOptions> bus) =>
                TypedResults.Ok(new BridgeLimitsDto(options.Value.MessagesPerSecond, options.Value.Burst, bus.Value.ToDto())))
            .RequireAuthorization().WithTags("Cards");
        return app;
    }
}
