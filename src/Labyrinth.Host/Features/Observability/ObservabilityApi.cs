using Microsoft.AspNetCore.Http.HttpResults;
using Prometheus;

namespace Labyrinth.Host.Features.Observability;

internal sealed record HealthDto(string Status);

/// <summary>The host's metrics as one type, so every series is named and labelled in one place.</summary>
internal sealed class LabyrinthMetrics
{
    private readonly Counter mounts = Metrics.CreateCounter("labyrinth_card_mounts_total", "Card mounts reported by the frame bootstrap.", "plugin", "version", "result");
    private readonly Histogram loadSeconds = Metrics.CreateHistogram("labyrinth_card_load_seconds", "Card load time, bootstrap start to mounted.",
        new HistogramConfiguration { LabelNames = ["plugin"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
    private readonly Gauge bundleBytes = Metrics.CreateGauge("labyrinth_plugin_bundle_bytes", "Size of a card's entry bundle.", "plugin", "version");
    private readonly Counter fileRequests = Metrics.CreateCounter("labyrinth_plugin_file_requests_total", "Plugin file requests by status.", "status");

    public void CardMounted(string plugin, string version, bool ok, double seconds, long entryBytes)
    {
        mounts.WithLabels(plugin, version, ok ? "success" : "failure").Inc();
        if (ok)
        {
            loadSeconds.WithLabels(plugin).Observe(seconds);
        }

        bundleBytes.WithLabels(plugin, version).Set(entryBytes);
    }

    public void FileRequest(int status) => fileRequests.WithLabels(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
}

internal static class ObservabilityApi
{
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<LabyrinthMetrics>();
        return services;
    }

    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthDto("ok"))).WithTags("Health");
        app.MapMetrics("/metrics");
        return app;
    }
}
