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
    private readonly Lazy<ConnectionMultiplexer> signalR;

    public RedisConnection(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        multiplexer = new Lazy<ConnectionMultiplexer>(() => Connect(null));
        // SignalR's Redis backplane names its channels after the hub types and relies on the
        // connection's own channel prefix to keep clusters apart; this connection's channels are
        // prefixed one by one (Channel), so the backplane gets a connection of its own that
        // prefixes everything it publishes or subscribes with "<prefix>:signalr".
        signalR = new Lazy<ConnectionMultiplexer>(() => Connect(options.Prefix + ":signalr"));
    }

    public RedisOptions Options { get; }

    public ConnectionMultiplexer Multiplexer => multiplexer.Value;

    /// <summary>The SignalR backplane's connection: every channel it uses starts with <c>&lt;prefix&gt;:signalr</c>.</summary>
    public ConnectionMultiplexer SignalRMultiplexer => signalR.Value;

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
        foreach (var connection in new[] { multiplexer, signalR })
        {
            if (connection.IsValueCreated)
            {
                await connection.Value.CloseAsync();
                connection.Value.Dispose();
            }
        }
    }

    private ConnectionMultiplexer Connect(string? channelPrefix)
    {
        var config = ConfigurationOptions.Parse(Options.Configuration!);
        config.AbortOnConnectFail = false;
        config.ClientName ??= "labyrinth";
        // Fail fast when Redis is gone: a refused action beats a request hanging for seconds.
        config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
        config.SyncTimeout = Math.Min(config.SyncTimeout, 2000);
        config.AsyncTimeout = Math.Min(config.AsyncTimeout, 2000);
        if (channelPrefix is not null)
        {
            config.ChannelPrefix = RedisChannel.Literal(channelPrefix);
        }

        return ConnectionMultiplexer.Connect(config);
    }
}
