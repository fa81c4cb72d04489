using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Labyrinth.Host.Features.Observability;

/// <summary>The host's metrics as one type, so every series is named and labelled in one place.</summary>
internal sealed class LabyrinthMetrics
{
    private readonly Counter mounts = Metrics.CreateCounter("labyrinth_card_mounts_total", "Card mounts reported by the frame bootstrap.", "plugin", "version", "result");
    private readonly Histogram loadSeconds = Metrics.CreateHistogram("labyrinth_card_load_seconds", "Card load time, bootstrap start to mounted.",
        new HistogramConfiguration { LabelNames = ["plugin"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
    private readonly Gauge bundleBytes = Metrics.CreateGauge("labyrinth_plugin_bundle_bytes", "Size of a card's entry bundle.", "plugin", "version");
    private readonly Counter fileRequests = Metrics.CreateCounter("labyrinth_plugin_file_requests_total", "Plugin file requests by status.", "status");
    private readonly Counter installs = Metrics.CreateCounter("labyrinth_plugin_installs_total", "Plugin package imports by result (installed, unchanged, replaced, rejected).", "result");
    private readonly Counter rejections = Metrics.CreateCounter("labyrinth_plugin_rejections_total", "Refused plugin packages by reason (the problem code).", "reason");
    private readonly Counter kills = Metrics.CreateCounter("labyrinth_plugin_kills_total", "Kill switch activations.");

    // Card Security Contract.
    private readonly Counter bridgeViolations = Metrics.CreateCounter("labyrinth_bridge_violations_total", "Card messages the bridge rejected, by plugin and reason.", "plugin", "reason");
    private readonly Counter cardSuspensions = Metrics.CreateCounter("labyrinth_card_suspensions_total", "Cards suspended for repeated bridge violations.", "plugin");
    private readonly Counter assetUploads = Metrics.CreateCounter("labyrinth_asset_uploads_total", "File Registry uploads by result (stored, refused, too_large).", "result");
    private readonly Counter cardGrants = Metrics.CreateCounter("labyrinth_card_grant_changes_total", "Card capability and asset grant changes by action.", "action");

    private readonly Counter busRefused = Metrics.CreateCounter("labyrinth_bus_refused_total", "Bus messages refused, by plugin and reason (host and page).", "plugin", "reason");

    private readonly Counter apiCalls = Metrics.CreateCounter("labyrinth_api_calls_total", "Plugin API calls by provider and outcome (ok or the api.* code).", "provider", "outcome");
    private readonly Counter pluginLogLines = Metrics.CreateCounter("labyrinth_plugin_log_lines_total", "Plugin log lines by plugin and level (error lines are the plugin's errors).", "plugin", "level");
    private readonly Counter pluginLogDropped = Metrics.CreateCounter("labyrinth_plugin_log_dropped_total", "Plugin log lines dropped by the rate limit.", "plugin");

    /// <summary>Providers are installed plugin ids (the call was refused before otherwise); outcomes a closed list.</summary>
    public void ApiCall(string provider, string outcome) => apiCalls.WithLabels(provider, outcome).Inc();

    public void PluginLogLine(string plugin, string level) => pluginLogLines.WithLabels(plugin, level).Inc();

    public void PluginLogDropped(string plugin) => pluginLogDropped.WithLabels(plugin).Inc();

    /// <summary>Reasons are a closed list; plugin ids come from the installed catalog, so labels stay bounded.</summary>
    public void BusRefused(string plugin, string reason, long count) => busRefused.WithLabels(plugin, reason).Inc(count);

    public void PluginImported(string result) => installs.WithLabels(result).Inc();

    /// <summary>Counts each distinct reason once per refused package; reasons are stable codes, so the label set is bounded.</summary>
    public void PluginRejected(IEnumerable<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        installs.WithLabels("rejected").Inc();
        foreach (var reason in reasons.Distinct(StringComparer.Ordinal))
        {
            rejections.WithLabels(reason).Inc();
        }
    }

    public void PluginKilled() => kills.Inc();

    /// <summary>Plugin ids come from the installed catalog and reasons from a closed list, so labels stay bounded.</summary>
    public void BridgeViolations(string plugin, string reason, long count, bool suspended)
    {
        bridgeViolations.WithLabels(plugin, reason).Inc(count);
        if (suspended)
        {
            cardSuspensions.WithLabels(plugin).Inc();
        }
    }

    public void AssetUploaded(string result) => assetUploads.WithLabels(result).Inc();

    public void CardGrantChanged(string action) => cardGrants.WithLabels(action).Inc();

    public void CardMounted(string plugin, string version, bool ok, double seconds, long entryBytes)
    {
        mounts.WithLabels(plugin, version, ok ? "success" : "failure").Inc();
        if (ok)
        {
            loadSeconds.WithLabels(plugin).Observe(seconds);
        }

        bundleBytes.WithLabels(plugin, version).Set(entryBytes);
    }

    // Plugin files are the host's most requested path: a request adds one to a plain counter (the
    // prometheus child's Inc also updates exemplar state, which showed in the profile), and the
    // series catch up with the counts just before each scrape. Process-wide like the registry, so
    // two hosts in one process (tests) add up as they did before.
    private static readonly int[] FileStatuses = [200, 304, 403, 404, 410];
    private static readonly long[] FileCounts = new long[FileStatuses.Length];
    private static readonly Lock PublishGate = new();
    private static int publishing;

    public LabyrinthMetrics()
    {
        if (Interlocked.Exchange(ref publishing, 1) == 0)
        {
            var counter = fileRequests;
            var children = new Counter.Child?[FileStatuses.Length];
            Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            {
                lock (PublishGate)
                {
                    for (var i = 0; i < children.Length; i++)
                    {
                        // A status shows once it has happened, as with Inc.
                        if (Interlocked.Read(ref FileCounts[i]) is > 0 and var count)
                        {
                            (children[i] ??= counter.WithLabels(FileStatuses[i].ToString(System.Globalization.CultureInfo.InvariantCulture))).IncTo(count);
                        }
                    }
                }
            });
        }
    }

    public void FileRequest(int status)
    {
        var index = status switch { 200 => 0, 304 => 1, 403 => 2, 404 => 3, 410 => 4, _ => -1 };
        if (index < 0)
        {
            fileRequests.WithLabels(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
            return;
        }

        Interlocked.Increment(ref FileCounts[index]);
    }
}

internal static class ObservabilityApi
{
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<LabyrinthMetrics>();
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section)
            .Validate(o => o.MinFreeDiskBytes >= 0, "Labyrinth:Health:MinFreeDiskBytes must not be negative.")
            .ValidateOnStart();
        services.AddHealthChecks().AddCheck<DiskSpaceHealthCheck>("disk");
        return services;
    }

    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        // Each feature adds its own check (services.AddHealthChecks().AddCheck…); degraded still answers 200.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync }).WithTags("Health");
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary><c>{"status":"ok"|"degraded"|"unhealthy","checks":{"name":{"status","description",…data}}}</c></summary>
    private static async Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        static string Name(HealthStatus status) => status switch
        {
            HealthStatus.Healthy => "ok",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        };

        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var body = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Name(entry.Status));
            json.WriteString("description", entry.Description);
            foreach (var (key, value) in entry.Data)
            {
                json.WritePropertyName(key);
                JsonSerializer.Serialize(json, value, JsonSerializerOptions.Web);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        await http.Response.Body.WriteAsync(body.WrittenMemory);
    }
}
