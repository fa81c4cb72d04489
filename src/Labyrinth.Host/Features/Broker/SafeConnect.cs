using System.Net;
using System.Net.Sockets;
using Labyrinth.Core.Broker;

namespace Labyrinth.Host.Features.Broker;

/// <summary>Resolves host names for the broker. A service so tests can map a public-looking name to loopback.</summary>
internal interface IDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

internal sealed class SystemDnsResolver : IDnsResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>The target resolved to an address the service may not reach (loopback, private, metadata, …).</summary>
internal sealed class AddressForbiddenException : Exception
{
    public AddressForbiddenException()
        : base("The service's host resolves to an address the broker may not connect to.")
    {
    }

    public AddressForbiddenException(string message)
        : base(message)
    {
    }

    public AddressForbiddenException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The broker's <see cref="SocketsHttpHandler.ConnectCallback"/>: it resolves the host itself,
/// refuses the connection unless every address is allowed, and connects the socket to one of the
/// addresses it checked — there is no second lookup a rebinding DNS server could answer
/// differently. It runs for every new connection, so redirects and reconnects are checked too.
/// </summary>
internal static class SafeConnect
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Create(IDnsResolver dns, bool allowPrivateNetwork)
    {
        ArgumentNullException.ThrowIfNull(dns);
        return async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var port = context.DnsEndPoint.Port;
            if (AddressRules.IsMetadataHost(host))
            {
                throw new AddressForbiddenException();
            }

            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await dns.ResolveAsync(host, ct);
            if (addresses.Length == 0)
            {
                throw new HttpRequestException("The service's host has no address.");
            }

            if (addresses.Any(a => !AddressRules.IsAllowed(a, allowPrivateNetwork)))
            {
                throw new AddressForbiddenException();
            }

            Exception? last = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw new HttpRequestException("Could not connect to the service.", last);
        };
    }
}
