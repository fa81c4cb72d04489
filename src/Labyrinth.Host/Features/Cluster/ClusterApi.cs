using System.Xml.Linq;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Cluster;

/// <summary>
/// Scale-out (docs/operations.md): with <c>Labyrinth:Redis:Configuration</c> set, the instances
/// sharing one database and one Redis act as one host; without it, everything stays in process.
/// </summary>
internal static class ClusterApi
{
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        services.AddSingleton(options);
        var instance = new ClusterInstance(configuration);
        services.AddSingleton(instance);
        LabelMetrics(instance);
        services.AddSingleton<ClusterGeneration>();
        services.AddSingleton<SharedRateLimits>();
        services.AddExceptionHandler<ClusterUnavailableHandler>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<BlobStoreHealthCheck>("blobs")
            .AddCheck<RedisHealthCheck>("redis");

        if (!options.Enabled)
        {
            services.AddSingleton<IRateLimits, InMemoryRateLimits>();
            services.AddSingleton<IClusterSignals, LocalClusterSignals>();
            return services;
        }

        var redis = new RedisConnection(options);
        services.AddSingleton(redis);
        services.AddSingleton<IRateLimits, RedisRateLimits>();
        services.AddSingleton<IClusterSignals, RedisClusterSignals>();
        services.AddHostedService<ClusterMembership>();
        services.AddSingleton<Bus.IBusCluster, Bus.RedisBusCluster>();
        services.AddHostedService<Bus.BusClusterListener>();
        services.AddSingleton<Apps.RedisRunningServices>();
        services.AddSingleton<Apps.IRunningServices>(sp => sp.GetRequiredService<Apps.RedisRunningServices>());
        services.AddHostedService(sp => sp.GetRequiredService<Apps.RedisRunningServices>());

        // Browsers connected to any instance hear what any instance sends (kills, board presence, bus).
        services.AddSignalR().AddStackExchangeRedis(o =>
            o.ConnectionFactory = _ => Task.FromResult<IConnectionMultiplexer>(redis.SignalRMultiplexer));

        // One key ring for every instance: a cookie signed by one is read by all, a vault secret
        // sealed by one is opened by all. Replaces the file key ring configured in AddLabyrinthHost.
        services.AddOptions<KeyManagementOptions>()
            .Configure<HostPaths>((o, paths) => o.XmlRepository = new RedisKeyRing(redis, () => new KeyRingRepository(paths.DataProtectionDir)));
        return services;
    }

    /// <summary>
    /// Every series on /metrics carries <c>instance="…"</c>, so a dashboard over N instances tells
    /// them apart. Static labels can be set once per process, before the first metric: a second host
    /// in the same process (tests) keeps the first one's label.
    /// </summary>
    private static void LabelMetrics(ClusterInstance instance)
    {
        try
        {
            Prometheus.Metrics.DefaultRegistry.SetStaticLabels(new Dictionary<string, string> { ["instance"] = instance.Id });
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Refuses changes that every instance must apply (installs, kills, governance) while this instance cannot reach the others.</summary>
    public static TBuilder RequireClusterCoordination<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                && !http.RequestServices.GetRequiredService<IClusterSignals>().CanCoordinate)
            {
                return Unavailable("This change must reach every server instance, and this one cannot reach Redis right now, so nothing was changed. Try again in a moment.");
            }

            return await next(context);
        });
        return builder;
    }

    public static IResult Unavailable(string detail) =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ClusterUnavailable, detail);
}

/// <summary>Any <see cref="ClusterUnavailableException"/> (a rate limit, a signal) answers 503 <c>cluster.unavailable</c> with its sentence.</summary>
internal sealed class ClusterUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not ClusterUnavailableException unavailable || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Headers.RetryAfter = "5";
        await ClusterApi.Unavailable(unavailable.Message).ExecuteAsync(httpContext);
        return true;
    }
}

/// <summary>
/// The key ring in Redis, mirrored into each instance's file key ring. The first instance to start
/// against an empty ring copies its files into it, so a single host that becomes a cluster keeps
/// its sign-ins and vault; and because every instance keeps a copy on disk, a Redis that lost its
/// data (no persistence, a failover) gets the ring back instead of signing everyone out and
/// leaving the vault unreadable.
/// </summary>
internal sealed class RedisKeyRing(RedisConnection redis, Func<IXmlRepository> files) : IXmlRepository
{
    private readonly RedisXmlRepository inner = new(() => redis.Database, redis.Key("dataprotection-keys"));
    private readonly Lazy<IXmlRepository> local = new(files);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = inner.GetAllElements();
        var mirrored = local.Value.GetAllElements();
        if (elements.Count == 0)
        {
            foreach (var element in mirrored)
            {
                inner.StoreElement(element, KeyId(element) ?? "key");
            }

            return inner.GetAllElements();
        }

        var known = mirrored.Select(KeyId).ToHashSet(StringComparer.Ordinal);
        foreach (var element in elements.Where(e => KeyId(e) is { } id && !known.Contains(id)))
        {
            local.Value.StoreElement(element, "key-" + KeyId(element));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        inner.StoreElement(element, friendlyName);
        local.Value.StoreElement(element, friendlyName);
    }

    private static string? KeyId(XElement element) => element.Attribute("id")?.Value;
}

internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"The {db.Database.ProviderName?.Split('.').Last()} database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be reached ({ex.GetType().Name}).");
        }
    }
}

/// <summary>Whether the blob store answers: a lookup of a hash nothing is stored under (the empty file's).</summary>
internal sealed class BlobStoreHealthCheck(IBlobStore blobs) : IHealthCheck
{
    private const string Probe = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["shared"] = blobs.IsShared };
        try
        {
            await blobs.GetAsync(Probe, cancellationToken);
            return HealthCheckResult.Healthy(blobs.IsShared ? "The shared blob store (the database) answers." : "The blob store (the data directory) answers.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The blob store cannot be reached ({ex.GetType().Name}).", data: data);
        }
    }
}

/// <summary>Degraded, not unhealthy, without Redis: the instance still serves reads and refuses only coordinated changes.</summary>
internal sealed class RedisHealthCheck(IServiceProvider services, ClusterInstance instance) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["instance"] = instance.Id };
        if (services.GetService<RedisConnection>() is not { } redis)
        {
            return HealthCheckResult.Healthy("Not configured: a single instance, coordinating in memory.", data);
        }

        if (!redis.IsConnected)
        {
            return HealthCheckResult.Degraded("Redis cannot be reached: reads still work; installs, kills and rate-limited calls answer 503 cluster.unavailable.", data: data);
        }

        try
        {
            var latency = await redis.Database.PingAsync();
            data["pingMs"] = Math.Round(latency.TotalMilliseconds, 2);
            var members = await redis.Database.SetMembersAsync(redis.Key(RedisClusterSignals.InstancesKey));
            var live = 0;
            foreach (var member in members)
            {
                live += await redis.Database.KeyExistsAsync(redis.Key(RedisClusterSignals.HeartbeatPrefix + member)) ? 1 : 0;
            }

            data["liveInstances"] = live;
            return HealthCheckResult.Healthy("Redis answers.", data);
        }
        catch (RedisException ex)
        {
            return HealthCheckResult.Degraded($"Redis cannot be reached ({ex.GetType().Name}): reads still work; installs, kills and rate-limited calls answer 503 cluster.unavailable.", data: data);
        }
    }
}
