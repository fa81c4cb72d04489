using System.Net;
using Labyrinth.Core.Broker;
using Labyrinth.Host.Features.Services;

namespace Labyrinth.Host.Features.Broker;

/// <summary>A redirect left the service's origin, or there were too many.</summary>
internal sealed class RedirectRefusedException : Exception
{
    public RedirectRefusedException()
        : base("The service redirected to another origin or too many times.")
    {
    }

    public RedirectRefusedException(string message)
        : base(message)
    {
    }

    public RedirectRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>One request to send upstream, already checked.</summary>
internal sealed record UpstreamCall(
    NetworkService Service,
    string Method,
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? SecretHeaderValue);

/// <summary>
/// Sends broker requests with the named clients (public-only or private-allowed, so pooled
/// connections are never shared between the two policies) and follows redirects by hand: at
/// most <see cref="MaxRedirects"/>, only to the same scheme, host and port.
/// </summary>
internal sealed class BrokerUpstream(IHttpClientFactory factory)
{
    public const string PublicClient = "labyrinth-broker";
    public const string PrivateClient = "labyrinth-broker-private";
    public const int MaxRedirects = 3;
    public const string UserAgent = "Labyrinth-Broker/1";

    public async Task<HttpResponseMessage> SendAsync(UpstreamCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        var client = factory.CreateClient(call.Service.AllowPrivateNetwork ? PrivateClient : PublicClient);
        var url = call.Url;
        var method = call.Method;
        var body = call.Body;
        for (var hop = 0; ; hop++)
        {
            using var request = Build(call, method, url, body);
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!IsRedirect(response.StatusCode))
            {
                return response;
            }

            var target = BrokerUrl.RedirectTarget(url, response.Headers.Location);
            var status = response.StatusCode;
            response.Dispose();
            if (target is null || hop >= MaxRedirects || !BrokerUrl.IsWithinService(call.Service.BaseUrl, call.Service.PathPrefixes, target))
            {
                throw new RedirectRefusedException();
            }

            // As browsers do: 303 (and 301/302 after a POST) continue as a GET without a body.
            if (status == HttpStatusCode.SeeOther || ((status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found) && method == "POST"))
            {
                method = "GET";
                body = null;
            }

            url = target;
        }
    }

    private static HttpRequestMessage Build(UpstreamCall call, string method, Uri url, byte[]? body)
    {
        // Parse hands back the shared instance of a known method, which the handler writes without lookups.
        var request = new HttpRequestMessage(HttpMethod.Parse(method), url) { Version = HttpVersion.Version11 };
        string? contentType = null;
        foreach (var (name, value) in call.Headers)
        {
            if (name == "content-type")
            {
                contentType = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType ?? "application/json");
        }

        if (call.SecretHeaderValue is not null)
        {
            request.Headers.TryAddWithoutValidation(call.Service.SecretName, call.SecretHeaderValue);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        return request;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
