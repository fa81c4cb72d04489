using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Core.Broker;

/// <summary>
/// Removes a secret from streamed text even when it is split across chunks: an upstream that
/// echoes the request (a debugging endpoint, an error page quoting the Authorization header or the
/// URL) must not hand the key to the card. The secret is matched in every form an upstream is
/// likely to echo it in — as sent, percent-encoded (query injection), JSON-escaped — and only the
/// longest tail that could begin one of them is held back, so ordinary text streams without delay.
/// </summary>
public sealed class SecretRedactor
{
    public const string Replacement = "[redacted]";

    private readonly string[] forms;
    private readonly StringBuilder pending = new();

    public SecretRedactor(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        forms = FormsOf(secret);
    }

    /// <summary>The spellings of <paramref name="secret"/> to redact, longest first (so a longer form is never left half-replaced).</summary>
    public static string[] FormsOf(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var escaped = Uri.EscapeDataString(secret);
        var json = JsonEncodedText.Encode(secret).Value;
        var candidates = new[]
        {
            secret,
            escaped,
            LowerHexEscapes(escaped),
            escaped.Replace("%20", "+", StringComparison.Ordinal),
            json,
            json.Replace("/", "\\/", StringComparison.Ordinal),
            secret.Replace("/", "\\/", StringComparison.Ordinal),
        };
        return candidates.Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length).ToArray();
    }

    /// <summary>Redacts a complete value (a relayed header) at once.</summary>
    public string RedactWhole(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ReplaceAll(text);
    }

    /// <summary>Feeds text; returns what can be released now.</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        pending.Append(text);
        var all = ReplaceAll(pending.ToString());
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

    private string ReplaceAll(string text)
    {
        foreach (var form in forms)
        {
            text = text.Replace(form, Replacement, StringComparison.Ordinal);
        }

        return text;
    }

    private int HeldBack(string text)
    {
        var longest = 0;
        foreach (var form in forms)
        {
            for (var n = Math.Min(form.Length - 1, text.Length); n > longest; n--)
            {
                if (text.AsSpan(text.Length - n).SequenceEqual(form.AsSpan(0, n)))
                {
                    longest = n;
                    break;
                }
            }
        }

        return longest;
    }

    private static string LowerHexEscapes(string escaped)
    {
        var sb = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%' && i + 2 < escaped.Length)
            {
                sb.Append('%').Append(escaped.Substring(i + 1, 2).ToLower(CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                sb.Append(escaped[i]);
            }
        }

        return sb.ToString();
    }
}
