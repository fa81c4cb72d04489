using System.Text;
using Labyrinth.Core.Broker;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Services;
using Labyrinth.Host.Features.Vault;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// The network broker: one card request checked in the order docs/api.md gives (each refusal with
/// its own code), then sent upstream with the secret injected, answered as an NDJSON stream.
/// Logs name the service and outcome only — never a path's query, a header value, a body or a secret.
/// </summary>
internal sealed partial class BrokerService(
    LabyrinthDb db,
    CardAccess cards,
    NetworkServices services,
    VaultService vault,
    Cluster.IRateLimits limits,
    BrokerUpstream upstream,
    CardGrantSignals signals,
    BrokerMetrics metrics,
    BrokerRecorder recorder,
    TimeProvider clock,
    ILogger<BrokerService> logger)
{
    public async Task<Results<BrokerStreamResult, ProblemHttpResult>> SendAsync(
        CardInstance card, string serviceId, BrokerRequest body, HttpContext http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(http);
        if (card.Stopped)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CardPluginStopped, "This card's plugin is disabled or stopped by an admin, so it cannot use the network.");
        }

        // Before anything is checked or sent: a call that cannot be recorded must not happen.
        if (!recorder.TryAdmit())
        {
            http.Response.Headers.RetryAfter = "1";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.BrokerBusy,
                "The host is still writing the log of earlier network requests; nothing was sent. Try again in a moment.");
        }

        var exchange = new BrokerExchange(card, http.Actor(), serviceId, serviceKnown: false, metrics, recorder, clock)
        {
            Method = (body.Method ?? "").ToUpperInvariant(),
            Path = BrokerPath.Check(body.Path) is null ? BrokerUrl.LoggablePath(body.Path!) : "(invalid)",
            RequestBytes = body.Body is null ? 0 : Encoding.UTF8.GetByteCount(body.Body),
        };
        try
        {
            return await SendAdmittedAsync(exchange, card, serviceId, body, http, ct);
        }
        catch
        {
            // Whatever failed, the admitted call is recorded (and its slot given back).
            exchange.Finish(StatusCodes.Status500InternalServerError, 0, null);
            throw;
        }
    }

    private async Task<Results<BrokerStreamResult, ProblemHttpResult>> SendAdmittedAsync(
        BrokerExchange exchange, CardInstance card, string serviceId, BrokerRequest body, HttpContext http, CancellationToken ct)
    {
        var capability = CardCapabilities.NetworkPrefix + serviceId;

        if (!card.Requests(capability))
        {
            return Refuse(exchange, StatusCodes.Status403Forbidden, ErrorCodes.BrokerNotRequested, "This card does not ask for this network service.");
        }

        // Taken before the grant is read, so a revoke that lands after the check still cancels.
        var revoked = signals.TokenFor(card, capability);

        // The grant, the service and the key are read on one open connection instead of opening
        // and closing one per read; it is closed again before anything waits on the upstream.
        NetworkService? service;
        ResolvedSecret? secret;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var grant = await cards.GetGrantAsync(card, capability, ct);
            if (grant is null)
            {
                return Refuse(exchange, StatusCodes.Status403Forbidden, ErrorCodes.BrokerNotGranted, "You have not allowed this card to use this network service.");
            }

            exchange.Handle = grant.Handle;
            service = await services.FindAsync(serviceId, ct);
            if (service is null || !service.Enabled)
            {
                return Refuse(exchange, StatusCodes.Status404NotFound, ErrorCodes.BrokerServiceUnavailable, "This network service is not available; an admin has to enable it.");
            }

            exchange.ServiceKnown = true;
            secret = await vault.ResolveAsync(serviceId, card.UserId, ct);
            if (secret is null)
            {
                return Refuse(exchange, StatusCodes.Status409Conflict, ErrorCodes.BrokerNotConfigured, $"No key is stored for {service.DisplayName}; an admin (or you, in your own secrets) has to add one.");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        exchange.SecretId = secret.Id;
        exchange.SecretScope = secret.Scope;
        if (!service.Methods.Contains(exchange.Method, StringComparer.Ordinal))
        {
            return Refuse(exchange, StatusCodes.Status405MethodNotAllowed, ErrorCodes.BrokerMethodNotAllowed, $"{service.DisplayName} does not allow this method.");
        }

        // A body on a method without one is not forwarded quietly: some upstreams read it anyway
        // (request smuggling through a proxy that does not), others reject the request.
        if (body.Body is not null && exchange.Method is "GET" or "HEAD" or "DELETE")
        {
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerBodyNotAllowed,
                $"A {exchange.Method} request cannot carry a body; leave \"body\" out or use a method that takes one.");
        }

        if (body.Stream == true && !service.AllowStreaming)
        {
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerStreamingNotAllowed,
                $"{service.DisplayName} does not allow streamed answers; send the request without \"stream: true\".");
        }

        if (BrokerPath.Check(body.Path) is { } pathError)
        {
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerPathInvalid, pathError);
        }

        if (!BrokerPath.IsAllowed(body.Path!, service.PathPrefixes))
        {
            return Refuse(exchange, StatusCodes.Status403Forbidden, ErrorCodes.BrokerPathNotAllowed, $"{service.DisplayName} does not allow this path.");
        }

        if (BrokerUrl.CheckQuery(body.Query) is { } queryError)
        {
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerPathInvalid, queryError);
        }

        var headers = BrokerHeaders.FilterRequest(body.Headers, service.SecretIn == "header" ? service.SecretName : null);
        if (headers.Forbidden is { } forbidden)
        {
            LogHeaderForbidden(logger, serviceId, card.PluginId, forbidden);
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerHeaderForbidden, headers.Error!, new() { ["header"] = forbidden });
        }

        if (headers.Error is { } headerError)
        {
            return Refuse(exchange, StatusCodes.Status400BadRequest, ErrorCodes.BrokerHeaderInvalid, headerError);
        }

        if (exchange.RequestBytes > service.MaxRequestBytes)
        {
            return Refuse(exchange, StatusCodes.Status413PayloadTooLarge, ErrorCodes.BrokerRequestTooLarge,
                $"The request body is larger than {service.MaxRequestBytes:N0} bytes, {service.DisplayName}'s limit.");
        }

        // Counted across every instance: a card spreading calls over the cluster gets one budget.
        Cluster.RateDecision decision;
        try
        {
            decision = await limits.TryTakeAsync(BrokerRateKey(card.BoardId, card.WindowId, serviceId),
                new Cluster.RateLimit(service.RatePerMinute, service.Burst), http.RequestAborted);
        }
        catch (Cluster.ClusterUnavailableException unavailable)
        {
            http.Response.Headers.RetryAfter = "5";
            return Refuse(exchange, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ClusterUnavailable, unavailable.Message);
        }

        var (allowed, retryAfter) = decision;
        if (!allowed)
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Refuse(exchange, StatusCodes.Status429TooManyRequests, ErrorCodes.BrokerRateLimited,
                $"This card may call {service.DisplayName} {service.RatePerMinute} times a minute, at most {service.Burst} at once; try again in {retryAfter} s.",
                new() { ["retryAfter"] = retryAfter });
        }

        var injected = ServiceRules.Inject(service.SecretTemplate, secret.Value);
        var url = service.SecretIn == "query"
            ? BrokerUrl.Build(service.BaseUrl, body.Path!, body.Query, service.SecretName, injected)
            : BrokerUrl.Build(service.BaseUrl, body.Path!, body.Query);
        var call = new UpstreamCall(service, exchange.Method, url, headers.Headers, body.Body is null ? null : Encoding.UTF8.GetBytes(body.Body),
            service.SecretIn == "header" ? injected : null);

        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(service.TimeoutSeconds));
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, revoked, timeout.Token);
        http.Response.RegisterForDispose(timeout);
        HttpResponseMessage response;
        try
        {
            exchange.SecretSent = true;
            response = await upstream.SendAsync(call, cancel.Token);
        }
        catch (Exception ex) when (Find<AddressForbiddenException>(ex) is not null)
        {
            exchange.SecretSent = false;
            cancel.Dispose();
            return Refuse(exchange, StatusCodes.Status403Forbidden, ErrorCodes.BrokerAddressForbidden,
                $"{service.DisplayName}'s address is on a private or reserved network, which this service may not reach.");
        }
        catch (RedirectRefusedException)
        {
            cancel.Dispose();
            return Refuse(exchange, StatusCodes.Status502BadGateway, ErrorCodes.BrokerRedirectRefused,
                $"{service.DisplayName} redirected to another site (or too many times); the broker only follows redirects on the same origin.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !revoked.IsCancellationRequested)
        {
            cancel.Dispose();
            return Refuse(exchange, StatusCodes.Status504GatewayTimeout, ErrorCodes.BrokerTimeout, $"{service.DisplayName} did not answer within {service.TimeoutSeconds} s.");
        }
        catch (OperationCanceledException) when (revoked.IsCancellationRequested)
        {
            cancel.Dispose();
            return Refuse(exchange, StatusCodes.Status403Forbidden, ErrorCodes.BrokerRevoked, "Network access for this card was revoked.");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            cancel.Dispose();
            return Refuse(exchange, 499, ErrorCodes.BrokerCancelled, "The request was cancelled.");
        }
        catch (HttpRequestException ex)
        {
            cancel.Dispose();
            LogUpstreamFailed(logger, serviceId, ex.HttpRequestError.ToString());
            return Refuse(exchange, StatusCodes.Status502BadGateway, ErrorCodes.BrokerUpstreamFailed, $"{service.DisplayName} could not be reached.");
        }

        var streaming = body.Stream == true;
        var result = new BrokerStreamResult(response, exchange, secret.Value, service.MaxResponseBytes, streaming, cancel, revoked, timeout.Token);

        // Should the result never run, its disposal still records the call and frees the upstream answer.
        http.Response.RegisterForDispose(result);
        return result;
    }

    private ProblemHttpResult Refuse(BrokerExchange exchange, int status, string code, string detail, Dictionary<string, object?>? extra = null)
    {
        exchange.Finish(status, 0, code);
        LogRefused(logger, exchange.ServiceKnown ? exchange.ServiceId : "unknown", code);
        return Problems.Create(status, code, detail, extra);
    }

    /// <summary>One bucket per card and service, whichever instance the call reaches.</summary>
    internal static string BrokerRateKey(Guid boardId, string windowId, string serviceId) => $"broker:{boardId:N}:{windowId}:{serviceId}";

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T match)
            {
                return match;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker refused a request to service {ServiceId}: {Code}")]
    private static partial void LogRefused(ILogger logger, string serviceId, string code);

    // The name is a checked HTTP token chosen by the card; its value is never logged.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused a request to service {ServiceId}: a card of {PluginId} tried to send the header {Header}, which the broker does not forward")]
    private static partial void LogHeaderForbidden(ILogger logger, string serviceId, string pluginId, string header);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker could not reach service {ServiceId} ({Error})")]
    private static partial void LogUpstreamFailed(ILogger logger, string serviceId, string error);
}
