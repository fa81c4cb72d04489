using System.Collections.Concurrent;
using Labyrinth.Host.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.SignalR;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// The open hub connections (the workspace bus, plugin events) signed in with a cookie session.
/// A hub connection authenticates once, when it opens, and a WebSocket may then stay open for
/// days, so "a session ends on its next request" would never reach it: <see cref="HubSessionSweeper"/>
/// closes each one whose session ended (account disabled, deleted, password reset, role or name
/// changed, signed out) on any instance.
/// </summary>
internal sealed class HubSessions : IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> open = new(StringComparer.Ordinal);

    public bool IsEmpty => open.IsEmpty;

    public IEnumerable<HubCallerContext> Open => open.Values;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Context.User?.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme)
        {
            open[context.Context.ConnectionId] = context.Context;
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        open.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }
}

/// <summary>
/// Once a second, when the account epoch moved (some account or session changed anywhere), checks
/// every open hub connection's session as a request would and closes those that no longer hold.
/// The epoch read is the same one-row read a request makes; nothing else runs while accounts stay as
/// they are.
/// </summary>
internal sealed partial class HubSessionSweeper(HubSessions sessions, DataEpochs epochs, IServiceScopeFactory scopes, ILogger<HubSessionSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? checkedAt = null;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (sessions.IsEmpty)
                {
                    continue;
                }

                try
                {
                    var epoch = (await epochs.ReadAsync(stoppingToken))?.Accounts;
                    // Unreadable epoch: nothing is cached either, so check every time.
                    if (epoch is not null && epoch == checkedAt)
                    {
                        continue;
                    }

                    await using var scope = scopes.CreateAsyncScope();
                    foreach (var connection in sessions.Open)
                    {
                        if (connection.User is { } user && !await SessionValidation.IsCurrentAsync(user, scope.ServiceProvider, stoppingToken))
                        {
                            LogClosed(logger, connection.UserIdentifier ?? "?");
                            connection.Abort();
                        }
                    }

                    checkedAt = epoch;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed a hub connection of user {UserId}: its session ended")]
    private static partial void LogClosed(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check open hub connections' sessions; trying again in a second")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
