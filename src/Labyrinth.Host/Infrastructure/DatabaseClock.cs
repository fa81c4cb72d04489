namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// The system clock cut to whole microseconds, the finest time PostgreSQL stores: a time the host
/// answers with when it creates something (a token's expiry, an audit entry, …) is then the same
/// time it answers with after reading it back, on either database engine.
/// </summary>
internal sealed class DatabaseClock : TimeProvider
{
    public static readonly DatabaseClock Instance = new();

    public override DateTimeOffset GetUtcNow()
    {
        var now = System.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
