using System.Text;

namespace Labyrinth.Core.Broker;

/// <summary>
/// Removes a secret from streamed text even when it is split across chunks: an upstream that
/// echoes the request (a debugging endpoint, an error page quoting the Authorization header) must
/// not hand the key to the card. Only the longest tail that could begin the secret is held back,
/// so ordinary text streams through without delay.
/// </summary>
public sealed class SecretRedactor
{
    public const string Replacement = "[redacted]";

    private readonly string secret;
    private readonly StringBuilder pending = new();

    public SecretRedactor(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        this.secret = secret;
    }

    /// <summary>Feeds text; returns what can be released now.</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        pending.Append(text);
        var all = pending.ToString().Replace(secret, Replacement, StringComparison.Ordinal);
        var hold = HeldBack(all);
        pending.Clear().Append(all, all.Length - hold, hold);
        return all[..^hold];
    }

    /// <summary>Releases whatever is held back at the end of the stream.</summary>
    public string Flush()
    {
        var rest = pending.ToString();
        pending.Clear();
        return rest;
    }

    private int HeldBack(string text)
    {
        for (var n = Math.Min(secret.Length - 1, text.Length); n > 0; n--)
        {
            if (text.AsSpan(text.Length - n).SequenceEqual(secret.AsSpan(0, n)))
            {
                return n;
            }
        }

        return 0;
    }
}
