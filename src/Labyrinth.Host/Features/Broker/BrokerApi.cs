using System.Net;
using Labyrinth.Host.Features.Cards;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// The network broker endpoint and its HTTP clients. Clients: SocketsHttpHandler with
/// <see cref="SafeConnect"/> (own DNS lookup + address check + connect to the checked address), no
/// automatic redirects, no cookies, no proxy, no decompression, no trace headers; no retry — the broker never repeats
/// a request, since a POST to a paid API is not idempotent; and no HttpClient logging (it would log
/// URLs, whose query may carry a query-injected secret). The service's timeout is one token over
/// the whole call (every redirect hop and the answer's body), set by <see cref="BrokerService"/>;
/// a second, per-hop timeout in a resilience pipeline cost each call a pipeline run, a pooled
/// token source and a timer for nothing the first does not already end.
/// </summary>
internal static class BrokerApi
{
    /// <summary>What a stop gives requests still running to finish, before the broker's own drain.</summary>
    public const int RequestDrainSeconds = 30;

    public static IServiceCollection AddBroker(this IServiceCollection services)
    {
        services.AddScoped<BrokerService>();
        services.AddSingleton<BrokerUpstream>();
        services.AddSingleton<BrokerMetrics>();
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section)
            .Validate(o => o.MaxPendingRecords is >= 1 and <= 1_000_000, "Labyrinth:Broker:MaxPendingRecords must be between 1 and 1,000,000.")
            .Validate(o => o.DrainSeconds is >= 1 and <= 600, "Labyrinth:Broker:DrainSeconds must be between 1 and 600.")
            .Validate(o => o.BatchWindowMilliseconds is >= 0 and <= 1000, "Labyrinth:Broker:BatchWindowMilliseconds must be between 0 and 1000.")
            .ValidateOnStart();
        services.AddSingleton<BrokerRecorder>();
        services.AddHostedService<BrokerRecordWriter>();

        // The host's shutdown timeout covers in-flight requests (30 s, the default) and then the
        // broker's drain of the rows those requests leave behind.
        services.AddOptions<HostOptions>().Configure<IOptions<BrokerOptions>>((host, broker) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(host.ShutdownTimeout.TotalSeconds, RequestDrainSeconds + broker.Value.DrainSeconds)));
        services.AddSingleton<IDnsResolver, SystemDnsResolver>();

        services.AddScoped<ICardNetworkStatus, CardNetworkStatus>();

        AddClient(services, BrokerUpstream.PublicClient, allowPrivateNetwork: false);
        AddClient(services, BrokerUpstream.PrivateClient, allowPrivateNetwork: true);
        return services;
    }

    public static IEndpointRouteBuilder MapBroker(this IEndpointRouteBuilder app)
    {
        app.MapCardGroup().MapPost("/network/{serviceId}",
                (string serviceId, BrokerRequest body, BrokerService broker, HttpContext http, CancellationToken ct) =>
                    broker.SendAsync(http.Card(), serviceId, body, http, ct))
            .EvenWhenUnavailable() // such a card is stopped: the broker answers card.plugin_stopped
            .WithTags("Network broker");
        return app;
    }

    private static void AddClient(IServiceCollection services, string name, bool allowPrivateNetwork)
    {
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxResponseHeadersLength = 64,
                ConnectCallback = SafeConnect.Create(sp.GetRequiredService<IDnsResolver>(), allowPrivateNetwork),

                // No traceparent/tracestate/baggage to third parties: once tracing is on, HttpClient
                // would hand every upstream the host's trace ids and whatever baggage rides on them.
                ActivityHeadersPropagator = null,
            })
            .RemoveAllLoggers();
    }
}
