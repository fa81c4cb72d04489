using System.Net.Sockets;
using System.Text;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Sends a request line exactly as written. HttpClient and System.Uri normalise dot segments and
/// some escapes before sending, which would hide the very paths the host must refuse.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Head)> GetAsync(Uri server, string rawTarget, string? host = null)
    {
        var (status, head, _) = await SendAsync(server, rawTarget, host);
        return (status, head);
    }

    /// <summary>Like <see cref="GetAsync"/>, with the body; <paramref name="host"/> is the Host header (default: the server's authority).</summary>
    public static async Task<(int Status, string Head, string Body)> SendAsync(Uri server, string rawTarget, string? host = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {rawTarget} HTTP/1.1\r\nHost: {host ?? server.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var statusLine = response[..response.IndexOf("\r\n", StringComparison.Ordinal)];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, headEnd < 0 ? response : response[..headEnd], headEnd < 0 ? "" : response[(headEnd + 4)..]);
    }
}
