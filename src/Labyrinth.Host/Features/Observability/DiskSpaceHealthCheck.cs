using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Observability;

/// <summary>Health settings, bound from "Labyrinth:Health".</summary>
internal sealed class HealthOptions
{
    public const string Section = "Labyrinth:Health";

    /// <summary>Below this many free bytes on the disk holding the data directory, /healthz says degraded (default 512 MiB).</summary>
    public long MinFreeDiskBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>
/// Free space on the disk holding the data directory. Below the threshold the host is degraded,
/// not unhealthy: it still serves everything it has, while writes may answer 507 storage.full.
/// </summary>
internal sealed class DiskSpaceHealthCheck(HostPaths paths, IOptionsMonitor<HealthOptions> options) : IHealthCheck
{
    public const string FreeBytesKey = "freeBytes";
    public const string MinFreeBytesKey = "minFreeBytes";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var min = options.CurrentValue.MinFreeDiskBytes;
        long free;
        try
        {
            free = new DriveInfo(paths.DataDir).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The free space on the disk holding {paths.DataDir} cannot be read ({ex.GetType().Name})."));
        }

        var data = new Dictionary<string, object> { [FreeBytesKey] = free, [MinFreeBytesKey] = min };
        return Task.FromResult(free < min
            ? HealthCheckResult.Degraded($"Only {Mib(free)} MiB are free on the disk holding the data directory (threshold {Mib(min)} MiB); writes fail with 507 storage.full once it is full. Free some space.", data: data)
            : HealthCheckResult.Healthy(data: data));
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
