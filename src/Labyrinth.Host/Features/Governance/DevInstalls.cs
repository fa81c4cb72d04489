using System.Net;
using System.Text.RegularExpressions;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Governance;

/// <summary>Whether development installs are allowed here, and why (shown to admins and the CLI).</summary>
internal sealed record DevInstallsDto(bool Allowed, string Reason, int Kept);

/// <summary>
/// The development-install switch (<c>Labyrinth:Plugins:AllowDevInstalls</c>). Unset, it follows
/// where the host listens: on for a host reachable only from this machine (every address
/// loopback), off for one others can reach, so a dev loop never opens a production host to
/// unsigned code by accident.
/// </summary>
internal sealed partial class DevInstallPolicy(IOptions<LabyrinthOptions> options, IServer server)
{
    /// <summary><c>x.y.z-dev.N</c>: the versions <c>labyrinth plugin dev</c> uploads, and the only ones a dev install takes.</summary>
    [GeneratedRegex("^\\d+\\.\\d+\\.\\d+-dev\\.\\d+\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    public static partial Regex DevVersion();

    public static bool IsDevVersion(string version) => DevVersion().IsMatch(version);

    public DevInstallsDto Describe()
    {
        var kept = Math.Max(1, options.Value.Plugins.DevVersionsKept);
        if (options.Value.Plugins.AllowDevInstalls is { } set)
        {
            return new(set, set ? "Labyrinth:Plugins:AllowDevInstalls is true." : "Labyrinth:Plugins:AllowDevInstalls is false.", kept);
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var open = addresses.Where(a => !IsLoopback(a)).ToList();
        return open.Count == 0
            ? new(true, "The host listens on loopback addresses only (Labyrinth:Plugins:AllowDevInstalls is not set).", kept)
            : new(false, $"The host listens on {string.Join(", ", open)}, which other machines may reach; set Labyrinth:Plugins:AllowDevInstalls=true to allow development installs anyway.", kept);
    }

    private static bool IsLoopback(string address)
    {
        // Kestrel reports "http://+:80", "http://0.0.0.0:5080", "http://[::]:5080" for any-address binds.
        var host = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..] : address;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
