using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Cli.Features.Server;

/// <summary>A server answer: the status and the parsed JSON body (null for an empty or non-JSON body).</summary>
internal sealed record ServerReply(HttpStatusCode Status, JsonElement? Body, string Text)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// Calls the admin API (docs/api.md "Plugin governance") with a personal access token. Transport
/// failures become one sentence and exit code 3; HTTP answers, errors included, are returned
/// for the command to print.
/// </summary>
internal sealed class ServerClient : IDisposable
{
    // Optional fields are left out rather than sent as null, as the API's TypeScript-style shapes (`version?`) suggest.
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;

    public ServerClient(Uri server, string token, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        Server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri Server { get; }

    public Task<ServerReply> ListAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/admin/plugins", null, cancellationToken);

    public Task<ServerReply> InstallAsync(byte[] package, bool rollback, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return SendAsync(HttpMethod.Post, "api/admin/plugins" + (rollback ? "?rollback=true" : ""), content, cancellationToken);
    }

    /// <summary><c>plugin dev</c>: a development version (<c>x.y.z-dev.N</c>), active at once on a host that allows it.</summary>
    public Task<ServerReply> InstallDevelopmentAsync(byte[] package, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return SendAsync(HttpMethod.Post, "api/admin/plugins/dev", content, cancellationToken);
    }

    /// <summary><c>plugin dev</c>: a failed build, shown on the admins' open cards of the plugin.</summary>
    public Task<ServerReply> ReportDevBuildFailedAsync(string id, string message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/admin/plugins/dev/" + Uri.EscapeDataString(id) + "/build-failed", JsonBody(new { message }), cancellationToken);

    public Task<ServerReply> TrustAsync(string name, byte[] publicKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/admin/trust", JsonBody(new { name, publicKey = Convert.ToBase64String(publicKey) }), cancellationToken);

    public Task<ServerReply> EnableAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, PluginPath(id, "enable"), null, cancellationToken);

    public Task<ServerReply> DisableAsync(string id, bool cascade, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, PluginPath(id, "disable"), JsonBody(new { cascade }), cancellationToken);

    public Task<ServerReply> KillAsync(string id, string? version, string? reason, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, PluginPath(id, "kill"), JsonBody(new { version, reason }), cancellationToken);

    public Task<ServerReply> UnkillAsync(string id, string? version, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, PluginPath(id, "unkill"), JsonBody(new { version }), cancellationToken);

    public Task<ServerReply> ActivateAsync(string id, string version, bool rollback, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, PluginPath(id, "activate"), JsonBody(new { version, rollback }), cancellationToken);

    public Task<ServerReply> UninstallAsync(string id, string? version, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, PluginPath(id, null) + (version is null ? "" : "?version=" + Uri.EscapeDataString(version)), null, cancellationToken);

    public async Task<ServerReply> SendAsync(HttpMethod method, string relativePath, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(relativePath, UriKind.Relative)) { Content = content };
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new ServerReply(response.StatusCode, ParseJson(text), text);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Server, DescribeTransportFailure(ex));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Server, $"The server at {Server} did not answer within {_http.Timeout.TotalSeconds:0} seconds.");
        }
    }

    public void Dispose() => _http.Dispose();

    private string DescribeTransportFailure(HttpRequestException ex)
    {
        var socket = ex.InnerException as SocketException;
        var reason = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "the connection was refused (is the host running, and on this port?)",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name could not be resolved",
            SocketError.TimedOut => "the connection timed out",
            _ => ex.HttpRequestError switch
            {
                HttpRequestError.SecureConnectionError => "the TLS handshake failed",
                HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => "it did not answer with valid HTTP",
                _ => (socket?.Message ?? ex.Message).TrimEnd('.'),
            },
        };
        return $"Could not reach the Labyrinth server at {Server}: {reason}.";
    }

    private static string PluginPath(string id, string? action) =>
        "api/admin/plugins/" + Uri.EscapeDataString(id) + (action is null ? "" : "/" + action);

    private static StringContent JsonBody(object body) =>
        new(JsonSerializer.Serialize(body, BodyJson), Encoding.UTF8, "application/json");

    private static JsonElement? ParseJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
