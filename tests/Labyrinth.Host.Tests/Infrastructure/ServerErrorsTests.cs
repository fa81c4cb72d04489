using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests.Infrastructure;

/// <summary>
/// A failed request's problem details name it by the same id its error log line and its trace
/// carry, so a person's "it said traceId …" leads to what went wrong.
/// </summary>
public sealed class ServerErrorsTests
{
    [Fact]
    public async Task UnhandledError_ProblemTraceId_AppearsInItsOneErrorLogLine()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        using var admin = await app.SetupAdminAsync();
        BreakBoardsTable(app);

        using var response = await admin.GetAsync("/api/boards");

        var problem = await Expect.ProblemAsync(HttpStatusCode.InternalServerError, "server.error", response);
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.Contains(traceId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var line = Assert.Single(app.Logs.Entries, e => e.Category == ServerErrors.LogCategory);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("traceId " + traceId, line.Message, StringComparison.Ordinal);
        Assert.Contains("GET /api/boards", line.Message, StringComparison.Ordinal);
        Assert.NotNull(line.Exception);
        // Not said twice: the framework's own line would repeat the exception without the id.
        Assert.DoesNotContain(app.Logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal) && e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task UnhandledError_WhileTracing_TraceIdIsTheRequestsW3CTraceId()
    {
        var traces = new ConcurrentBag<string>();
        using var listener = TraceRequests(traces);
        await using var app = LabyrinthApp.WithoutPlugins();
        using var admin = await app.SetupAdminAsync();
        BreakBoardsTable(app);

        using var response = await admin.GetAsync("/api/boards");

        var traceId = (await Expect.ProblemAsync(HttpStatusCode.InternalServerError, "server.error", response)).GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Contains(traceId, traces);
        Assert.Contains(app.Logs.Entries, e => e.Category == ServerErrors.LogCategory && e.Message.Contains("traceId " + traceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusal_WhileTracing_TraceIdIsTheRequestsW3CTraceId()
    {
        var traces = new ConcurrentBag<string>();
        using var listener = TraceRequests(traces);
        await using var app = LabyrinthApp.WithoutPlugins();
        using var admin = await app.SetupAdminAsync();

        using var response = await admin.GetAsync("/api/boards/" + Guid.NewGuid().ToString("N"));

        var problem = await Expect.ProblemAsync(HttpStatusCode.NotFound, "board.not_found", response);
        Assert.Contains(problem.GetProperty("traceId").GetString(), traces);
    }

    /// <summary>The host's own table gone from under it: every read of boards throws.</summary>
    private static void BreakBoardsTable(LabyrinthApp app) => app.RunSql("ALTER TABLE Boards RENAME TO BoardsGone");

    /// <summary>Turns tracing on for ASP.NET Core's request activity, as an OpenTelemetry exporter would, keeping each request's trace id.</summary>
    private static ActivityListener TraceRequests(ConcurrentBag<string> traces)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => traces.Add(activity.TraceId.ToHexString()),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
