using System.Globalization;
using Prometheus;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// The broker's Prometheus series. Labels are bounded: the service id only for services that exist
/// ("unknown" otherwise — a card chooses the id), the status as a number.
/// </summary>
internal sealed class BrokerMetrics
{
    private readonly Counter requests = Metrics.CreateCounter("labyrinth_broker_requests_total", "Brokered card network requests by service and status.", "service", "status");
    private readonly Histogram duration = Metrics.CreateHistogram("labyrinth_broker_duration_seconds", "Time from a card's request to the end of the brokered answer.",
        new HistogramConfiguration { LabelNames = ["service"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
    private readonly Gauge backlog = Metrics.CreateGauge("labyrinth_broker_record_backlog", "Brokered calls whose network-log and audit rows are not committed yet.");
    private readonly Counter quarantined = Metrics.CreateCounter("labyrinth_broker_records_quarantined_total",
        "Broker calls whose network-log / audit rows the database refused as they were, written escaped instead (docs/operations.md), by engine and error code.", "reason");
    private readonly Counter busy = Metrics.CreateCounter("labyrinth_broker_busy_total", "Broker calls refused with 503 broker.busy because the record backlog was full.");

    public void Record(string service, int status, double seconds)
    {
        requests.WithLabels(service, status.ToString(CultureInfo.InvariantCulture)).Inc();
        duration.WithLabels(service).Observe(seconds);
    }

    public void Backlog(int pending) => backlog.Set(pending);

    public void Busy() => busy.Inc();

    /// <summary><paramref name="reason"/> is the engine and its error code (a bounded set), never a message.</summary>
    public void Quarantined(string reason) => quarantined.WithLabels(reason).Inc();
}
