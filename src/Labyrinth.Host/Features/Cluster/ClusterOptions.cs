namespace Labyrinth.Host.Features.Cluster;

/// <summary>
/// The "Labyrinth:Redis" section. Without <see cref="Configuration"/> the host is a single instance
/// and coordinates in memory; with it, every instance sharing the Redis server and the
/// <see cref="Prefix"/> is one cluster (SignalR backplane, key ring, rate limits, signals).
/// </summary>
internal sealed class RedisOptions
{
    public const string Section = "Labyrinth:Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefixes every key and channel, so several clusters (or test runs) can share one Redis server.</summary>
    public string Prefix { get; set; } = "labyrinth";

    /// <summary>How long an instance counts as live after its last heartbeat.</summary>
    public int InstanceTimeoutSeconds { get; set; } = 5;

    /// <summary>How long a change waits for every live instance to apply it before announcing it anyway.</summary>
    public int BarrierTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>
    /// How long a change that offers something new waits for every live instance to load it
    /// (first phase) before it is abandoned with <c>cluster.not_prepared</c>; loading a large
    /// package means compressing it, which takes seconds.
    /// </summary>
    public int PrepareTimeoutMilliseconds { get; set; } = 10_000;

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}

/// <summary>This process among the instances: its id labels metrics, heartbeats and signals.</summary>
internal sealed class ClusterInstance
{
    public ClusterInstance(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Unique even for two hosts in one process (tests): the machine, the process and a random part.
        Id = configuration["Labyrinth:InstanceId"] is { Length: > 0 } configured
            ? configured
            : $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
    }

    public string Id { get; }
}

/// <summary>Thrown when an action needs the other instances (Redis) and they cannot be reached or agree; answered 503 with <see cref="Code"/>.</summary>
internal sealed class ClusterUnavailableException(string message, Exception? inner = null, string code = Labyrinth.Core.Errors.ErrorCodes.ClusterUnavailable) : Exception(message, inner)
{
    /// <summary><c>cluster.unavailable</c>, or <c>cluster.not_prepared</c> when the instances could not agree on a change.</summary>
    public string Code { get; } = code;
}
