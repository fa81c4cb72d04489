using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Labyrinth.Core.Audit;

/// <summary>One audit log row. <see cref="Hash"/> covers every other field, <see cref="PrevHash"/> included.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTime AtUtc,
    string Actor,
    string Action,
    string? PluginId,
    string DetailJson,
    string PrevHash,
    string Hash);

public enum AuditTamperKind
{
    None,

    /// <summary>An entry's fields no longer match its own hash.</summary>
    Edited,

    /// <summary>Sequence numbers skip: entries are missing.</summary>
    Deleted,

    /// <summary>An entry repeats a sequence number or does not link to its predecessor's hash.</summary>
    Inserted,

    /// <summary>Every entry is there but not in sequence order.</summary>
    Reordered,
}

/// <summary>The verdict of <see cref="AuditChain.Verify"/>: valid, or the first broken link and what kind it is.</summary>
public sealed record AuditVerification(AuditTamperKind Kind, long? Sequence, int EntriesChecked, string Message)
{
    public bool IsValid => Kind == AuditTamperKind.None;
}

/// <summary>
/// The audit hash chain. Each entry's hash is the lower-case hex SHA-256 of its canonical form,
/// which is the UTF-8 encoding of:
/// <code>
/// labyrinth-audit-v1\n
/// {len}:{sequence}\n          decimal, invariant culture
/// {len}:{atUtc}\n             yyyy-MM-ddTHH:mm:ss.fffffffZ (UTC, 100 ns ticks)
/// {len}:{actor}\n
/// {len}:{action}\n
/// {len}:{pluginId}\n          or the single line "-\n" when there is no plugin
/// {len}:{detailJson}\n        the stored text, byte for byte
/// {len}:{prevHash}\n
/// </code>
/// where <c>{len}</c> is the decimal UTF-8 byte length of the value. Length prefixes make the
/// form unambiguous: text moved from one field into the next (say a newline in an actor name)
/// always changes the hash. The first entry has sequence 1 and <see cref="GenesisHash"/> as its
/// previous hash. Removing entries from the end is only detectable against a head hash kept
/// elsewhere; everything else is detected here.
/// </summary>
public static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    private const string AtFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Builds the entry that follows <paramref name="previous"/> (null for the first entry).</summary>
    public static AuditEntry Append(AuditEntry? previous, DateTime atUtc, string actor, string action, string? pluginId, string detailJson)
    {
        var sequence = previous is null ? 1 : previous.Sequence + 1;
        var prevHash = previous?.Hash ?? GenesisHash;
        var at = NormalizeUtc(atUtc);
        return new AuditEntry(sequence, at, actor, action, pluginId, detailJson, prevHash,
            ComputeHash(sequence, at, actor, action, pluginId, detailJson, prevHash));
    }

    public static string ComputeHash(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ComputeHash(entry.Sequence, entry.AtUtc, entry.Actor, entry.Action, entry.PluginId, entry.DetailJson, entry.PrevHash);
    }

    public static string ComputeHash(long sequence, DateTime atUtc, string actor, string action, string? pluginId, string detailJson, string prevHash)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(detailJson);
        ArgumentNullException.ThrowIfNull(prevHash);
        var text = new StringBuilder("labyrinth-audit-v1\n");
        Field(text, sequence.ToString(CultureInfo.InvariantCulture));
        Field(text, FormatAt(atUtc));
        Field(text, actor);
        Field(text, action);
        if (pluginId is null)
        {
            text.Append("-\n");
        }
        else
        {
            Field(text, pluginId);
        }

        Field(text, detailJson);
        Field(text, prevHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Walks the entries in the order given (the export order, or the database ordered by
    /// sequence) and reports the first broken link.
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        var expected = 1L;
        var prevHash = GenesisHash;
        var seen = new HashSet<long>();
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            if (e.Sequence != expected)
            {
                if (e.Sequence > expected && list.Skip(i + 1).Any(x => x.Sequence == expected))
                {
                    return Broken(AuditTamperKind.Reordered, expected, i, Inv($"Entry {expected} appears after entry {e.Sequence}: entries were reordered."));
                }

                if (e.Sequence > expected)
                {
                    var missing = e.Sequence - expected == 1 ? Inv($"entry {expected} is") : Inv($"entries {expected}–{e.Sequence - 1} are");
                    return Broken(AuditTamperKind.Deleted, expected, i, $"{missing} missing before entry {e.Sequence}: deleted.");
                }

                return Broken(AuditTamperKind.Inserted, e.Sequence, i, seen.Contains(e.Sequence)
                    ? Inv($"Entry {e.Sequence} appears twice (found again after entry {expected - 1}): an entry was inserted.")
                    : Inv($"Entry {e.Sequence} comes where entry {expected} belongs: an entry was inserted."));
            }

            if (ComputeHash(e) != e.Hash)
            {
                return Broken(AuditTamperKind.Edited, e.Sequence, i, Inv($"Entry {e.Sequence} does not match its hash: it was edited."));
            }

            if (e.PrevHash != prevHash)
            {
                return Broken(AuditTamperKind.Inserted, e.Sequence, i, i == 0
                    ? Inv($"Entry {e.Sequence} does not start the chain: an entry was inserted before it or the first entries were replaced.")
                    : Inv($"Entry {e.Sequence} does not link to entry {e.Sequence - 1}: an entry was inserted or replaced between them."));
            }

            seen.Add(e.Sequence);
            prevHash = e.Hash;
            expected++;
        }

        return new AuditVerification(AuditTamperKind.None, null, list.Count, Inv($"All {list.Count} entries form an unbroken chain."));
    }

    internal static string FormatAt(DateTime at) => NormalizeUtc(at).ToString(AtFormat, CultureInfo.InvariantCulture);

    /// <summary>Stores often hand back UTC times as Unspecified; they are UTC by contract here.</summary>
    private static DateTime NormalizeUtc(DateTime at) => at.Kind switch
    {
        DateTimeKind.Utc => at,
        DateTimeKind.Local => at.ToUniversalTime(),
        _ => DateTime.SpecifyKind(at, DateTimeKind.Utc),
    };

    private static void Field(StringBuilder text, string value) =>
        text.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

    private static AuditVerification Broken(AuditTamperKind kind, long sequence, int checkedCount, string message) =>
        new(kind, sequence, checkedCount, message);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
