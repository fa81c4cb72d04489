using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Auth;

/// <summary>
/// The sign-in cookie's ticket, decrypted and verified once per distinct cookie value rather than
/// on every request: unprotecting (AES-CBC plus HMAC over the cookie, a key-ring lookup) was the
/// largest part of a small authenticated request's own work once the account and card lookups came
/// from memory. Only a value that the data protector accepted is kept, keyed by its exact text, so
/// a forged or altered cookie is never in here and always goes to the protector. Nothing the cookie
/// handler checks after unprotecting is skipped: the expiry is compared with the clock, and the
/// session check (account, stamp, signed-out sessions) runs on every request. An entry lives at
/// most <see cref="MaxAge"/>, which bounds how long a revoked data-protection key keeps working
/// here (another instance's key ring sees a revocation only at its periodic refresh). Each caller
/// gets its own copy: the handler and the session check may replace the principal.
/// </summary>
internal sealed class CachedTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider clock) : ISecureDataFormat<AuthenticationTicket>
{
    public const int MaxEntries = 10_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> tickets = new(StringComparer.Ordinal);

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        var now = clock.GetUtcNow();
        if (tickets.TryGetValue(protectedText, out var kept) && kept.Until > now)
        {
            return Copy(kept.Ticket);
        }

        var ticket = inner.Unprotect(protectedText);
        if (ticket is null)
        {
            return null;
        }

        if (tickets.Count >= MaxEntries)
        {
            // Bounded without bookkeeping: live sessions simply unprotect once more.
            tickets.Clear();
        }

        tickets[protectedText] = new Entry(Copy(ticket), now + MaxAge);
        return ticket;
    }

    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);

    private sealed record Entry(AuthenticationTicket Ticket, DateTimeOffset Until);

    /// <summary>Wraps the format the cookie handler's own set-up chose (runs after it: registered after <c>AddCookie</c>).</summary>
    internal sealed class Setup(TimeProvider clock) : IPostConfigureOptions<CookieAuthenticationOptions>
    {
        public void PostConfigure(string? name, CookieAuthenticationOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (name == CookieAuthenticationDefaults.AuthenticationScheme && options.TicketDataFormat is not CachedTicketFormat)
            {
                options.TicketDataFormat = new CachedTicketFormat(options.TicketDataFormat, clock);
            }
        }
    }
}
