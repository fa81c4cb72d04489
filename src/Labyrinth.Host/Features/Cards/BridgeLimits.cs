using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Cards;

/// <summary>
/// The card → host message rate and size the page enforces per card, bound from
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

    /// <summary>Largest card → host message in UTF-8 bytes of its JSON, besides card state and snapshots (default 256 KiB).</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;
}

/// <summary>
/// Every limit a card meets, published once (<c>GET /api/cards/limits</c>) and read by the page,
/// the frame and the SDK; sizes are UTF-8 bytes (of JSON, or decoded image bytes for snapshots).
/// The publish limit is the bus's <c>maxPayloadBytes</c>.
/// </summary>
internal sealed record BridgeLimitsDto(
    int MessagesPerSecond, int Burst, int MaxMessageBytes, int MaxPayloadBytes, int MaxSnapshotBytes, Bus.BusLimitsDto Bus);

internal static class BridgeLimitsApi
{
    public static IServiceCollection AddBridgeLimits(this IServiceCollection services)
    {
        services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section)
            .Validate(o => o.MessagesPerSecond is >= 1 and <= 10_000, "Labyrinth:Bridge:MessagesPerSecond must be between 1 and 10000.")
            .Validate(o => o.Burst >= o.MessagesPerSecond && o.Burst <= 100_000, "Labyrinth:Bridge:Burst must be at least MessagesPerSecond and at most 100000.")
            .Validate(o => o.MaxMessageBytes is >= 16 * 1024 and <= 16 * 1024 * 1024, "Labyrinth:Bridge:MaxMessageBytes must be between 16 KiB and 16 MiB.")
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeLimits(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cards/limits", (IOptions<BridgeOptions> bridge, IOptions<LabyrinthOptions> host, IOptions<Bus.BusOptions> bus) =>
                TypedResults.Ok(new BridgeLimitsDto(
                    bridge.Value.MessagesPerSecond,
                    bridge.Value.Burst,
                    bridge.Value.MaxMessageBytes,
                    host.Value.MaxPayloadBytes,
                    CardSnapshotsApi.MaxSnapshotBytes,
                    bus.Value.ToDto())))
            .RequireAuthorization().WithTags("Cards");
        return app;
    }
}
