using StackExchange.Redis;

namespace Labyrinth.Host.Features.Cluster;

/// <summary>
/// The one Redis connection of this instance, shared by the SignalR backplane, the key ring, rate
/// limits and signals. It connects in the background and reconnects on its own
/// (AbortOnConnectFail off): an instance starts and serves reads while Redis is down, and
/// <see cref="IsConnected"/> tells coordination whether it may act.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<ConnectionMultiplexer> multiplexer;

    public RedisConnection(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var config = ConfigurationOptions.Parse(options.Configuration!);
            config.AbortOnConnectFail = false;
            config.ClientName ??= "labyrinth";
            // Fail fast when Redis is gone: a refused action beats a request hanging for seconds.
            config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
            config.SyncTimeout = Math.Min(config.SyncTimeout, 2000);
            config.AsyncTimeout = Math.Min(config.AsyncTimeout, 2000);
            return ConnectionMultiplexer.Connect(config);
        });
    }

    public RedisOptions Options { get; }

    public ConnectionMultiplexer Multiplexer => multiplexer.Value;

    public bool IsConnected => Multiplexer.IsConnected;

    public IDatabase Database => Multiplexer.GetDatabase();

    public RedisKey Key(string name) => $"{Options.Prefix}:{name}";

    public RedisChannel Channel(string name) => RedisChannel.Literal($"{Options.Prefix}:{name}");

    /// <summary>The database, or <see cref="ClusterUnavailableException"/> when Redis is unreachable right now.</summary>
    public IDatabase RequireDatabase(string what)
    {
        if (!IsConnected)
        {
            throw new ClusterUnavailableException($"{what} needs the other server instances, and this one cannot reach Redis right now. Try again in a moment.");
        }

        return Database;
    }

    public async ValueTask DisposeAsync()
    {
        if (multiplexer.IsValueCreated)
        {
            await multiplexer.Value.CloseAsync();
            multiplexer.Value.Dispose();
        }
    }
}
