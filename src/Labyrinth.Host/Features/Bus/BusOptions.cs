namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// Workspace bus limits, bound from <c>Labyrinth:Bus</c>. Rates are per plugin per person (all of
/// that plugin's cards in all of the person's tabs share one bucket), on the server and, with the
/// same numbers, in each page.
/// </summary>
internal sealed class BusOptions
{
    public const string Section = "Labyrinth:Bus";

    /// <summary>UTF-8 bytes of a payload's JSON (publish, request, reply).</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    /// <summary>Messages kept per person.</summary>
    public const int HistorySize = 1000;

    public int PublishesPerSecond { get; set; } = 50;

    public int PublishBurst { get; set; } = 100;

    public int RequestsPerSecond { get; set; } = 20;

    public int RequestBurst { get; set; } = 40;

    /// <summary>Plugin API calls per second per calling plugin per person.</summary>
    public int CallsPerSecond { get; set; } = 20;

    public int CallBurst { get; set; } = 40;

    public int DefaultTimeoutMs { get; set; } = 5000;

    public int MaxTimeoutMs { get; set; } = 30_000;

    /// <summary>Payload characters the history keeps per person before the oldest go (16 Mi).</summary>
    public long HistoryMaxPayloadChars { get; set; } = 16L * 1024 * 1024;

    /// <summary>Members (open cards) one connection may hold.</summary>
    public int MaxMembersPerConnection { get; set; } = 64;

    public int MaxSubscriptionsPerMember { get; set; } = 64;

    public BusLimitsDto ToDto() => new(PublishesPerSecond, PublishBurst, RequestsPerSecond, RequestBurst, MaxPayloadBytes, HistorySize,
        DefaultTimeoutMs, MaxTimeoutMs, MaxSubscriptionsPerMember, CallsPerSecond, CallBurst);
}
