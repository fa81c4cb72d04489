using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Labyrinth.Core.Errors;

namespace Labyrinth.Core.Json;

/// <summary>
/// The one way a document from a package (manifest.json, a theme, SIGNATURE) becomes a
/// <see cref="JsonDocument"/>. It refuses what JSON readers disagree on, so the host, the CLI,
/// the schema validator and the SDK's build all read the same values: a byte order mark, bytes
/// that are not UTF-8, duplicate keys (some readers keep the first, others the last), escapes
/// that are not text (unpaired surrogates), numbers no double can hold (<c>1e400</c>) and nesting
/// deeper than the caller's limit. Every problem carries the JSON pointer of the offending value.
/// </summary>
public static class StrictJson
{
    /// <summary>How much of an attacker's string a sentence echoes.</summary>
    public const int MaxEchoLength = 80;

    /// <summary>
    /// Parses <paramref name="utf8"/>; on any problem returns null and adds every problem found to
    /// <paramref name="problems"/>. <paramref name="document"/> names the document in sentences
    /// ("manifest", "theme"); <paramref name="maxDepth"/> is the deepest nesting of objects and arrays.
    /// </summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> utf8, string document, int maxDepth, List<PointerProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        var span = utf8.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            problems.Add(new("", $"The {document} starts with a UTF-8 byte order mark (EF BB BF); save it as UTF-8 without a BOM."));
            return null;
        }

        if (InvalidUtf8At(span) is { } offset)
        {
            problems.Add(new("", Inv($"The {document} is not valid UTF-8: byte {offset} (0x{span[offset]:X2}) does not start or continue a UTF-8 character. Save it as UTF-8.")));
            return null;
        }

        try
        {
            Walk(span, document, maxDepth, problems);
        }
        catch (JsonException ex)
        {
            problems.Add(new("", $"The {document} is not valid JSON: {ex.Message}"));
        }

        if (problems.Count > before)
        {
            return null;
        }

        // Nothing the walk refused can reach here; the options restate the rules for the parser itself.
        return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth + 1, AllowDuplicateProperties = false });
    }

    /// <summary>Quotes <paramref name="text"/> for a sentence, cut to <see cref="MaxEchoLength"/> characters.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "\"" + (text.Length <= MaxEchoLength ? text : text[..MaxEchoLength] + "…") + "\"";
    }

    private sealed class Frame(string pointer, bool isArray)
    {
        public string Pointer { get; } = pointer;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Key { get; set; }
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    private static void Walk(ReadOnlySpan<byte> span, string document, int maxDepth, List<PointerProblem> problems)
    {
        // The reader's own limit is one deeper than ours, so the sentence below (with its pointer) wins.
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        var frames = new Stack<Frame>();

        string ValuePointer()
        {
            if (!frames.TryPeek(out var frame))
            {
                return "";
            }

            return frame.IsArray ? JsonPointer.Append(frame.Pointer, frame.Index) : JsonPointer.Append(frame.Pointer, frame.Key ?? "");
        }

        void ValueDone()
        {
            if (frames.TryPeek(out var frame) && frame.IsArray)
            {
                frame.Index++;
            }
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    var pointer = ValuePointer();
                    if (frames.Count >= maxDepth)
                    {
                        problems.Add(new(pointer, Inv($"The {document} nests objects and arrays more than {maxDepth} levels deep here.")));
                        return;
                    }

                    frames.Push(new Frame(pointer, reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    ValueDone();
                    break;
                case JsonTokenType.PropertyName:
                    var frame = frames.Peek();
                    if (ReadText(ref reader) is not { } key)
                    {
                        frame.Key = Encoding.UTF8.GetString(reader.ValueSpan);
                        problems.Add(new(JsonPointer.Append(frame.Pointer, frame.Key), UnpairedSurrogate("key")));
                        break;
                    }

                    frame.Key = key;
                    if (!frame.Keys.Add(key))
                    {
                        problems.Add(new(JsonPointer.Append(frame.Pointer, key),
                            $"The key {Quote(key)} appears more than once in this object. JSON readers disagree on which copy wins, so duplicate keys are refused."));
                    }

                    break;
                case JsonTokenType.String:
                    if (ReadText(ref reader) is null)
                    {
                        problems.Add(new(ValuePointer(), UnpairedSurrogate("string")));
                    }

                    ValueDone();
                    break;
                case JsonTokenType.Number:
                    if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                    {
                        var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                        problems.Add(new(ValuePointer(), $"The number {Quote(raw)[1..^1]} is too large for a number (the largest is about 1.8e308)."));
                    }

                    ValueDone();
                    break;
                default:
                    ValueDone();
                    break;
            }
        }
    }

    /// <summary>The decoded text of a string or key token; null when an escape is an unpaired surrogate (no text can hold it).</summary>
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string UnpairedSurrogate(string what) =>
        $"This {what} contains an escaped unpaired surrogate (like \\ud800), which is not text; readers would turn it into different characters.";

    private static int? InvalidUtf8At(ReadOnlySpan<byte> span)
    {
        if (Utf8.IsValid(span))
        {
            return null;
        }

        var offset = 0;
        while (offset < span.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(span[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
