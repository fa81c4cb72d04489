using System.Diagnostics;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Cards;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// The bookkeeping of one broker request from the moment it is admitted (it holds a slot of the
/// <see cref="BrokerRecorder"/>): when it finishes (refused, failed, cut or complete) it is counted
/// in metrics and queued for the network log and the audit exactly once, without waiting.
/// </summary>
internal sealed class BrokerExchange(CardInstance card, string actor, string serviceId, bool serviceKnown, BrokerMetrics metrics, BrokerRecorder recorder, TimeProvider clock)
{
    private readonly long started = Stopwatch.GetTimestamp();
    private int finished;

    public CardInstance Card { get; } = card;

    public string ServiceId { get; } = serviceId;

    public bool ServiceKnown { get; set; } = serviceKnown;

    public string Method { get; set; } = "";

    public string Path { get; set; } = "";

    public long RequestBytes { get; set; }

    public Guid? SecretId { get; set; }

    public string? SecretScope { get; set; }

    public string? Handle { get; set; }

    /// <summary>True once the secret was sent upstream (that is what <c>secret.use</c> records).</summary>
    public bool SecretSent { get; set; }

    // What a card made up (a method, a service id in the URL) is recorded only in the shape the
    // host accepts, never as its bytes: a method is JSON and may hold a NUL, which PostgreSQL
    // refuses in text, and a batch that fails is retried as it is, so one such row would hold
    // every later call's rows behind it (and refuse every later call once the backlog is full).
    private const string Invalid = "(invalid)";

    private static string LoggableMethod(string method) =>
        method.Length is > 0 and <= 10 && method.All(char.IsAsciiLetterUpper) ? method : Invalid;

    // The other texts come from the host's own rows (a window id, a user name, a manifest's ids),
    // checked where they were written; they are made storable here all the same (one scan when
    // they already are), so a value that slipped past one of those checks, or a check loosened
    // later, is escaped on its way in rather than quarantined by the writer.
    private static string Storable(string value) => AuditText.Storable(value);

    public void Finish(int status, long responseBytes, string? error)
    {
        if (Interlocked.Exchange(ref finished, 1) == 1)
        {
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Record(ServiceKnown ? ServiceId : "unknown", status, elapsed.TotalSeconds);
        var queued = recorder.Record(new BrokerRecord(
            clock.GetUtcNow().UtcDateTime,
            Card.BoardId,
            Storable(Card.WindowId),
            Card.UserId,
            Storable(actor),
            Storable(Card.PluginId),
            Storable(Card.TypeID),
            Labyrinth.Core.Broker.ServiceRules.IsValidId(ServiceId) ? ServiceId : Invalid,
            LoggableMethod(Method),
            Storable(Path),
            status,
            RequestBytes,
            responseBytes,
            Math.Round(elapsed.TotalMilliseconds, 2),
            error,
            SecretSent ? SecretId : null,
            SecretSent ? AuditText.Storable(SecretScope) : null,
            AuditText.Storable(Handle)));
        if (!queued)
        {
            // Only after a stop gave up waiting for this call: StopAsync has logged the loss.
            recorder.Committed(1);
        }
    }
}
