using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Where a start's time goes: named marks, milliseconds since the process started, written as one
/// Debug line (category <c>Labyrinth.Startup</c>) when the server listens and a second one when the
/// first request has been answered. Costs a few list appends per start; silent at the default level.
/// Turn it on with <c>Logging__LogLevel__Labyrinth.Startup=Debug</c>.
/// </summary>
internal static partial class StartTimeline
{
    public const string LogCategory = "Labyrinth.Startup";

    private static readonly Lock Gate = new();
    private static readonly List<(string Step, double Ms)> Marks = [];
    private static readonly DateTime ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private static int firstRequestSeen;

    /// <summary>Milliseconds since the operating system started the process.</summary>
    public static double Now => (DateTime.UtcNow - ProcessStarted).TotalMilliseconds;

    public static void Mark(string step)
    {
        var now = Now;
        lock (Gate)
        {
            Marks.Add((step, now));
        }
    }

    /// <summary>Logs the marks so far (at Debug), each with the time since the previous one.</summary>
    public static void Write(ILogger logger, string heading)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var text = new StringBuilder();
        lock (Gate)
        {
            var previous = 0.0;
            foreach (var (step, ms) in Marks)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {ms,8:F1} ms  (+{ms - previous,7:F1})  {step}");
                previous = ms;
            }
        }

        LogTimeline(logger, heading, text);
    }

    /// <summary>Marks the end of the first request and writes the whole timeline once.</summary>
    public static IApplicationBuilder UseStartTimeline(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return app;
        }

        return app.Use(async (http, next) =>
        {
            var first = Interlocked.Exchange(ref firstRequestSeen, 1) == 0;
            if (first)
            {
                Mark("first request arrives: " + http.Request.Path);
            }

            await next(http);
            if (first)
            {
                Mark("first request answered");
                Write(logger, "Start timeline to the first answer");
            }
        });
    }

    [LoggerMessage(EventId = 90, Level = LogLevel.Debug, Message = "{Heading} (ms since the process started):{Timeline}")]
    private static partial void LogTimeline(ILogger logger, string heading, StringBuilder timeline);
}

/// <summary>Marks when the hosted services begin and end starting (registered first, so it brackets them all).</summary>
internal sealed class StartTimelineMarks : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        StartTimeline.Mark("hosted services starting");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        StartTimeline.Mark("hosted services started");
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
