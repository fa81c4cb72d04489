using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// "Labyrinth:Proxies": the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the host
/// believes. Nothing is trusted by default (not even loopback), so a client can never pick the
/// address the login rate limit counts; behind a proxy, list it here and each client is counted
/// on its own instead of everyone sharing the proxy's address.
/// </summary>
internal sealed class ProxyOptions
{
    public const string Section = "Labyrinth:Proxies";

    /// <summary>Addresses of trusted proxies, e.g. ["127.0.0.1", "::1"].</summary>
    public List<string> KnownProxies { get; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. ["10.0.0.0/8"].</summary>
    public List<string> KnownNetworks { get; } = [];

    /// <summary>How many proxy hops to unwind (default 1: one proxy in front of the host).</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

internal static class ProxyHeaders
{
    public static IServiceCollection AddProxyHeaders(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section)
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Labyrinth:Proxies:KnownProxies must list IP addresses, such as 127.0.0.1 or ::1.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Labyrinth:Proxies:KnownNetworks must list networks in CIDR notation, such as 10.0.0.0/8.")
            .Validate(o => o.ForwardLimit is >= 1 and <= 10, "Labyrinth:Proxies:ForwardLimit must be between 1 and 10.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, proxies) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = proxies.Value.ForwardLimit;
            // The framework trusts loopback by default; only what the admin listed counts here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.Value.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>Rewrites the client address and scheme from trusted proxies' headers; a no-op when none are configured.</summary>
    public static IApplicationBuilder UseProxyHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any ? app.UseForwardedHeaders() : app;
    }
}
