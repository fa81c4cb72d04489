using System.Diagnostics;
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
            Card.WindowId,
            Card.UserId,
            actor,
            Card.PluginId,
            Card.TypeID,
            ServiceId.Length > 64 ? ServiceId[..64] : ServiceId,
            Method.Length > 10 ? Method[..10] : Method,
            Path,
            status,
            RequestBytes,
            responseBytes,
            Math.Round(elapsed.TotalMilliseconds, 2),
            error,
            SecretSent ? SecretId : null,
            SecretSent ? SecretScope : null,
            Handle));
        if (!queued)
        {
            // Only after a stop gave up waiting for this call: StopAsync has logged the loss.
            recorder.Committed(1);
        }
    }
}
