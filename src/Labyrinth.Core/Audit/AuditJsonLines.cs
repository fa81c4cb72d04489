using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Core.Audit;

/// <summary>The outcome of <see cref="AuditJsonLines.Read"/>: the entries, or sentences naming the bad lines.</summary>
public sealed record AuditJsonLinesReadResult(IReadOnlyList<AuditEntry> Entries, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// The audit export format: one JSON object per line with <c>sequence, atUtc, actor, action,
/// pluginId, detailJson, prevHash, hash</c>. <c>detailJson</c> stays a string so the exact stored
/// text (which the hash covers) survives the round trip.
/// </summary>
public static class AuditJsonLines
{
    private static readonly string[] Keys = ["sequence", "atUtc", "actor", "action", "pluginId", "detailJson", "prevHash", "hash"];

    public static void Write(IEnumerable<AuditEntry> entries, Stream output)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var e in entries)
        {
            using (var json = new Utf8JsonWriter(output))
            {
                json.WriteStartObject();
                json.WriteNumber("sequence", e.Sequence);
                json.WriteString("atUtc", AuditChain.FormatAt(e.AtUtc));
                json.WriteString("actor", e.Actor);
                json.WriteString("action", e.Action);
                json.WriteString("pluginId", e.PluginId);
                json.WriteString("detailJson", e.DetailJson);
                json.WriteString("prevHash", e.PrevHash);
                json.WriteString("hash", e.Hash);
                json.WriteEndObject();
            }

            output.WriteByte((byte)'\n');
        }
    }

    public static AuditJsonLinesReadResult Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var entries = new List<AuditEntry>();
        var problems = new List<string>();
        var number = 0;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                var entry = ParseLine(line, out var problem);
                if (entry is null)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"Line {number}: {problem}"));
                }
                else
                {
                    entries.Add(entry);
                }
            }
        }
        catch (DecoderFallbackException)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Line {number + 1}: not valid UTF-8."));
        }

        return problems.Count > 0 ? new([], problems) : new(entries, []);
    }

    private static AuditEntry? ParseLine(string line, out string? problem)
    {
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object.";
                return null;
            }

            var names = root.EnumerateObject().Select(p => p.Name).ToList();
            if (names.Count != Keys.Length || !Keys.All(names.Contains))
            {
                problem = "must have exactly the keys " + string.Join(", ", Keys) + ".";
                return null;
            }

            var at = DateTime.ParseExact(Text(root, "atUtc"), "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'",
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var pluginId = root.GetProperty("pluginId");
            return new AuditEntry(
                root.GetProperty("sequence").GetInt64(),
                at,
                Text(root, "actor"),
                Text(root, "action"),
                pluginId.ValueKind == JsonValueKind.Null ? null : Text(root, "pluginId"),
                Text(root, "detailJson"),
                Text(root, "prevHash"),
                Text(root, "hash"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            problem = "not a valid audit entry (" + ex.Message + ")";
            return null;
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw new FormatException($"\"{name}\" must be a string");
}
