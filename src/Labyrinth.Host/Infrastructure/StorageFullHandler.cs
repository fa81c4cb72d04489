using Labyrinth.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Every write that fails because the disk (or the database) is full answers 507 storage.full
/// with a sentence, wherever it happened — boards, card state, snapshots, assets, plugin uploads,
/// audit — instead of a 500 or a misleading "try again". Nothing was saved: each of those writes
/// commits in one transaction or moves a finished temp file into place.
/// </summary>
internal sealed partial class StorageFullHandler(HostPaths paths, ILogger<StorageFullHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!StorageErrors.IsFull(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogFull(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", paths.DataDir, exception.GetType().Name, ServerErrors.TraceIdOf(httpContext));
        await Problems.Create(StatusCodes.Status507InsufficientStorage, ErrorCodes.StorageFull,
            "The server's disk is full, so this change was not saved. An administrator has to free space; then try again.").ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage full: {Method} {Path} was not saved because the disk holding {DataDir} (or the database) is full ({ExceptionType}); free space there; traceId {TraceId}")]
    private static partial void LogFull(ILogger logger, string method, string path, string dataDir, string exceptionType, string traceId);
}
