using System.Net;
using System.Net.Sockets;

namespace Labyrinth.Core.Broker;

/// <summary>What kind of network an address belongs to, for the broker's SSRF check.</summary>
public enum AddressKind
{
    Public,
    Loopback,
    Private,
    LinkLocal,
    SharedCgnat,
    Multicast,
    Unspecified,
    Reserved,

    /// <summary>Cloud instance metadata endpoints: refused even for services that allow private networks.</summary>
    Metadata,
}

/// <summary>
/// Classifies IP addresses and host names. IPv4 embedded in IPv6 (mapped <c>::ffff:a.b.c.d</c>,
/// compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) is classified by
/// the IPv4 address it reaches, so <c>::ffff:127.0.0.1</c> is loopback.
/// </summary>
public static class AddressRules
{
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
        "metadata.azure.com", "metadata.packet.net", "metadata.oraclecloud.com",
    };

    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressKind.Reserved;
        }

        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(b[12..]);
        }

        if (IPAddress.IPv6Loopback.Equals(address))
        {
            return AddressKind.Loopback;
        }

        if (IPAddress.IPv6Any.Equals(address))
        {
            return AddressKind.Unspecified;
        }

        // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
        if (b.Take(12).All(x => x == 0))
        {
            return ClassifyV4(b[12..]);
        }

        // NAT64 well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            return b.Skip(4).Take(8).All(x => x == 0) ? ClassifyV4(b[12..]) : AddressKind.Reserved;
        }

        // 6to4 2002:AABB:CCDD::/48 embeds AA.BB.CC.DD.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            var inner = ClassifyV4(b[2..6]);
            return inner == AddressKind.Public ? AddressKind.Public : inner;
        }

        // AWS IMDS over IPv6.
        if (address.Equals(IPAddress.Parse("fd00:ec2::254")))
        {
            return AddressKind.Metadata;
        }

        if (b[0] == 0xff)
        {
            return AddressKind.Multicast;
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return AddressKind.LinkLocal;
        }

        // fc00::/7 unique local, fec0::/10 deprecated site-local.
        if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
        {
            return AddressKind.Private;
        }

        // Teredo 2001::/32 tunnels to arbitrary IPv4; 2001:db8::/32 documentation; 100::/64 discard.
        if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) ||
            (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
            (b[0] == 0x01 && b[1] == 0x00 && b.Skip(2).Take(6).All(x => x == 0)))
        {
            return AddressKind.Reserved;
        }

        // Global unicast is 2000::/3; anything else is not a destination on the internet.
        return (b[0] & 0xe0) == 0x20 ? AddressKind.Public : AddressKind.Reserved;
    }

    /// <summary>
    /// True when the broker may connect to <paramref name="address"/>: public addresses always;
    /// loopback, private, link-local and CGNAT only when the service allows private networks;
    /// metadata, multicast, unspecified and reserved addresses never.
    /// </summary>
    public static bool IsAllowed(IPAddress address, bool allowPrivateNetwork) => Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback or AddressKind.Private or AddressKind.LinkLocal or AddressKind.SharedCgnat => allowPrivateNetwork,
        _ => false,
    };

    /// <summary>Host names of cloud metadata services, refused before any lookup.</summary>
    public static bool IsMetadataHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return MetadataHosts.Contains(host.TrimEnd('.'));
    }

    private static AddressKind ClassifyV4(byte[] b)
    {
        if (b[0] == 169 && b[1] == 254 && b[2] == 169 && b[3] == 254)
        {
            return AddressKind.Metadata;
        }

        // Alibaba Cloud metadata.
        if (b[0] == 100 && b[1] == 100 && b[2] == 100 && b[3] == 200)
        {
            return AddressKind.Metadata;
        }

        return b[0] switch
        {
            0 => AddressKind.Unspecified,
            10 => AddressKind.Private,
            127 => AddressKind.Loopback,
            100 when (b[1] & 0xc0) == 64 => AddressKind.SharedCgnat,
            169 when b[1] == 254 => AddressKind.LinkLocal,
            172 when (b[1] & 0xf0) == 16 => AddressKind.Private,
            192 when b[1] == 168 => AddressKind.Private,
            // 192.0.0.0/24 IETF protocol assignments, 192.0.2.0/24 documentation, 192.88.99.0/24 6to4 relay.
            192 when (b[1] == 0 && (b[2] == 0 || b[2] == 2)) || (b[1] == 88 && b[2] == 99) => AddressKind.Reserved,
            // 198.18.0.0/15 benchmarking, 198.51.100.0/24 documentation.
            198 when (b[1] & 0xfe) == 18 || (b[1] == 51 && b[2] == 100) => AddressKind.Reserved,
            203 when b[1] == 0 && b[2] == 113 => AddressKind.Reserved,
            >= 224 and <= 239 => AddressKind.Multicast,
            >= 240 => AddressKind.Reserved,
            _ => AddressKind.Public,
        };
    }
}
