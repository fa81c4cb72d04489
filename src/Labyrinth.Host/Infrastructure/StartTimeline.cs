using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Where a start's time goes: named marks, milliseconds since the process started, written as one
/// Debug line (category <c>Labyrinth.Startup</c>) when the server listens and a second one when the
/// first request has been answered. Beside the wall time each mark keeps what the step cost the
/// process itself: CPU time (all threads), methods the JIT compiled and the time it spent, and the
/// assemblies loaded so far. On a shared machine wall time follows the load; those do not, so they
/// tell which step got cheaper. Costs a few list appends per start; silent at the default level.
/// Turn it on with <c>Logging__LogLevel__Labyrinth.Startup=Debug</c>.
/// </summary>
internal static partial class StartTimeline
{
    public const string LogCategory = "Labyrinth.Startup";

    private static readonly Lock Gate = new();
    private static readonly List<(string Step, double Ms, Cost Cost)> Marks = [];
    private static readonly DateTime ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private static int firstRequestSeen;

    /// <summary>Milliseconds since the operating system started the process.</summary>
    public static double Now => (DateTime.UtcNow - ProcessStarted).TotalMilliseconds;

    public static void Mark(string step)
    {
        var now = Now;
        var cost = Cost.Now;
        lock (Gate)
        {
            Marks.Add((step, now, cost));
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
            text.Append("\n        ms  (+   step)    CPU ms  jitted (JIT ms)  assemblies");
            var previous = (Ms: 0.0, Cost: default(Cost));
            foreach (var (step, ms, cost) in Marks)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"\n  {ms,8:F1}  (+{ms - previous.Ms,7:F1})  {cost.CpuMs - previous.Cost.CpuMs,8:F0}  {cost.Jitted - previous.Cost.Jitted,6} ({cost.JitMs - previous.Cost.JitMs,6:F0})  {cost.Assemblies,10}  {step}");
                previous = (ms, cost);
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

    /// <summary>What the process has spent so far: CPU (user + system, every thread), JIT work, assemblies loaded.</summary>
    private readonly record struct Cost(double CpuMs, long Jitted, double JitMs, int Assemblies)
    {
        public static Cost Now => new(
            Environment.CpuUsage.TotalTime.TotalMilliseconds,
            System.Runtime.JitInfo.GetCompiledMethodCount(),
            System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
            AppDomain.CurrentDomain.GetAssemblies().Length);
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
