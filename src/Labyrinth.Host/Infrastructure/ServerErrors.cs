using System.Diagnostics;
using Labyrinth.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// How a failed request is told apart from every other one. Each problem-details answer carries
/// <c>traceId</c>: the W3C trace id of the request's activity when tracing is on (what a trace
/// exporter and a log scope show for it), otherwise the request id (Kestrel's, also the
/// <c>RequestId</c> of request logs). An exception no feature handles answers 500
/// <c>server.error</c> and is logged once, at Error, with that same id, so a person's bug report
/// leads to the one log line about it.
/// </summary>
internal static partial class ServerErrors
{
    /// <summary>The log category of the line written for each unhandled exception.</summary>
    public const string LogCategory = "Labyrinth.Errors";

    public static IServiceCollection AddServerErrors(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions["traceId"] = TraceIdOf(c.HttpContext);
            // A status the framework set without a problem of ours (a query value it could not
            // bind, answered by the status-code pages) still gets a code and a sentence.
            if (!c.ProblemDetails.Extensions.ContainsKey("code") && BadRequestHandler.ForStatus(c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode) is { } known)
            {
                c.ProblemDetails.Extensions["code"] = known.Code;
                c.ProblemDetails.Detail ??= known.Detail;
                c.ProblemDetails.Title = known.Title;
            }
        });
        services.AddOptions<ExceptionHandlerOptions>().Configure<ILoggerFactory>((o, loggers) =>
        {
            var log = loggers.CreateLogger(LogCategory);
            // Runs only when no feature's IExceptionHandler (storage full, cluster unavailable) took the exception.
            o.ExceptionHandler = http => WriteAsync(http, log);
            // Each handler logs what it handled itself (with the trace id); the framework's line
            // would repeat the exception without the id.
            o.SuppressDiagnosticsCallback = c => c.ExceptionHandledBy is ExceptionHandledType.ExceptionHandlerService or ExceptionHandledType.ExceptionHandlerDelegate;
        });
        return services;
    }

    /// <summary>The id this request's problem details, error log lines and trace all carry.</summary>
    public static string TraceIdOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : http.TraceIdentifier;
    }

    private static async Task WriteAsync(HttpContext http, ILogger log)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>();
        var traceId = TraceIdOf(http);
        // The path only: a query string may carry a token (the setup link does).
        LogUnhandled(log, http.Request.Method, error?.Path ?? "", error?.Error.GetType().Name ?? "unknown", traceId, error?.Error);
        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = http,
            Exception = error?.Error,
            AdditionalMetadata = error?.Endpoint?.Metadata,
            ProblemDetails =
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "The server failed.",
                Detail = $"Something went wrong on the server, so this was not done. The server's log names this failure by its trace id, {traceId}; give it to an administrator.",
                Extensions = { ["code"] = ErrorCodes.ServerError },
            },
        });
    }

    [LoggerMessage(EventId = 1, EventName = "Unhandled", Level = LogLevel.Error, Message = "{Method} {Path} failed with {ExceptionType} and answered 500; traceId {TraceId}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, string exceptionType, string traceId, Exception? exception);
}
