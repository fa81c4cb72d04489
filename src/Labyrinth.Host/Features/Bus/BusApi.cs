using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Labyrinth.Host.Features.Bus;

/// <summary>The workspace message bus: <c>/hubs/bus</c> and its services (docs/api.md "Message bus").</summary>
internal static class BusApi
{
    public static IServiceCollection AddBus(this IServiceCollection services)
    {
        services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section)
            .Validate(o => o.PublishesPerSecond is >= 1 and <= 10_000 && o.PublishBurst >= o.PublishesPerSecond,
                "Labyrinth:Bus:PublishesPerSecond must be 1–10000 and PublishBurst at least that.")
            .Validate(o => o.RequestsPerSecond is >= 1 and <= 10_000 && o.RequestBurst >= o.RequestsPerSecond,
                "Labyrinth:Bus:RequestsPerSecond must be 1–10000 and RequestBurst at least that.")
            .Validate(o => o.CallsPerSecond is >= 1 and <= 10_000 && o.CallBurst >= o.CallsPerSecond,
                "Labyrinth:Bus:CallsPerSecond must be 1–10000 and CallBurst at least that.")
            .Validate(o => o.DefaultTimeoutMs >= 1 && o.MaxTimeoutMs >= o.DefaultTimeoutMs && o.MaxTimeoutMs <= 300_000,
                "Labyrinth:Bus:DefaultTimeoutMs must be positive and at most MaxTimeoutMs (≤ 300000).")
            .ValidateOnStart();
        services.AddSingleton<BusRelay>();
        // AddCluster registers the Redis one first when scaled out.
        services.TryAddSingleton<IBusCluster, LocalBusCluster>();
        services.AddSingleton<BusAuditThrottle>();
        services.AddScoped<BusRefusals>();
        services.AddScoped<IBusMemberSource, CardBusMembers>();
        services.AddScoped<IBusMemberSource, Apps.ServiceBusMembers>();
        services.AddScoped<IBusMemberSource, Apps.PageBusMembers>();
        services.AddSignalR().AddHubOptions<BusHub>(o =>
        {
            // A 64 KiB payload plus its envelope; SignalR's default (32 KiB) would cut it off.
            o.MaximumReceiveMessageSize = BusOptions.MaxPayloadBytes + (8 * 1024);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapBus(this IEndpointRouteBuilder app)
    {
        app.MapHub<BusHub>(BusHub.Path, o => o.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling).RequireAuthorization();
        return app;
    }
}
