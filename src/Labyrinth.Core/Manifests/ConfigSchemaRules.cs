using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;
using Labyrinth.Core.Text;

namespace Labyrinth.Core.Manifests;

/// <summary>The kinds of value a configuration field holds.</summary>
public enum ConfigFieldType
{
    String,
    Number,
    Integer,
    Boolean,
    StringArray,
}

/// <summary>
/// One field of a plugin's <c>configSchema</c>: a top-level property, or a property of one of its
/// groups (one level of nesting). <see cref="Pointer"/> is where its value lives in a configuration
/// document, e.g. <c>/timeZone</c> or <c>/display/format</c>.
/// </summary>
public sealed record ConfigField(
    string Pointer,
    string? Group,
    string Name,
    ConfigFieldType Type,
    string? Title,
    string? Description,
    JsonElement? Default,
    double? Minimum,
    double? Maximum,
    int MaxLength,
    int MaxItems,
    IReadOnlyList<JsonElement> Enum,
    bool Secret);

/// <summary>A validated <c>configSchema</c>: the fields in document order, and the schema as written (for the settings form).</summary>
public sealed record ConfigSchema(IReadOnlyList<ConfigField> Fields, JsonElement Document)
{
    public IEnumerable<ConfigField> Secrets => Fields.Where(f => f.Secret);

    public ConfigField? Find(string pointer) => Fields.FirstOrDefault(f => f.Pointer == pointer);
}

/// <summary>
/// The manifest's <c>configSchema</c>: a small JSON Schema subset that a settings form can be drawn
/// from and that the host checks every saved value against. An object of string, number, integer,
/// boolean, enum and string-array properties, with one level of object groups; <c>default</c>,
/// <c>title</c>, <c>description</c>, <c>minimum</c>/<c>maximum</c>, <c>maxLength</c>,
/// <c>maxItems</c>, and <c>"secret": true</c> for strings the vault keeps. <c>pattern</c> is
/// refused: the host would run the plugin's regular expression on an admin's input.
/// </summary>
public static partial class ConfigSchemaRules
{
    public const int MaxFields = 100;
    public const int MaxNameLength = 64;
    public const int MaxTextLength = 500;
    public const int MaxEnumValues = 256;

    /// <summary>A string field without <c>maxLength</c> holds at most this many characters.</summary>
    public const int DefaultMaxLength = 2000;
    public const int MaxMaxLength = 10_000;
    public const int DefaultMaxItems = 100;
    public const int MaxMaxItems = 1000;

    private static readonly FrozenSet<string> RootKeys = new[] { "type", "title", "description", "properties" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> GroupKeys = new[] { "type", "title", "description", "properties" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> FieldKeys = new[]
    {
        "type", "title", "description", "default", "minimum", "maximum", "maxLength", "maxItems", "enum", "items", "secret",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ItemKeys = new[] { "type", "maxLength", "enum" }.ToFrozenSet(StringComparer.Ordinal);

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_]{0,63}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NamePattern();

    /// <summary>Checks <paramref name="schema"/> (at <c>/configSchema</c>); null, with the problems added, when it is not usable.</summary>
    public static ConfigSchema? Read(JsonElement schema, List<PointerProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        const string at = "/configSchema";
        var before = problems.Count;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(at, "\"configSchema\" must be an object like {\"type\": \"object\", \"properties\": {\"timeZone\": {\"type\": \"string\"}}}."));
            return null;
        }

        RejectUnknown(schema, at, RootKeys, "type, title, description and properties", problems);
        RequireObjectType(schema, at, problems);
        Text(schema, at, "title", problems);
        Text(schema, at, "description", problems);
        var fields = new List<ConfigField>();
        if (!schema.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(JsonPointer.Append(at, "properties"), "\"properties\" must be an object of field name → field, like {\"timeZone\": {\"type\": \"string\"}}."));
        }
        else
        {
            foreach (var p in props.EnumerateObject())
            {
                var pointer = JsonPointer.Append(JsonPointer.Append(at, "properties"), p.Name);
                if (!CheckName(p.Name, pointer, problems))
                {
                    continue;
                }

                if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "object")
                {
                    ReadGroup(p.Name, p.Value, pointer, fields, problems);
                }
                else if (ReadField(p.Value, pointer, null, p.Name, problems) is { } field)
                {
                    fields.Add(field);
                }
            }
        }

        if (fields.Count > MaxFields)
        {
            problems.Add(new(JsonPointer.Append(at, "properties"), $"A configuration has at most {MaxFields} fields; this one has {fields.Count}."));
        }

        return problems.Count > before ? null : new ConfigSchema(fields, schema.Clone());
    }

    private static void ReadGroup(string name, JsonElement group, string pointer, List<ConfigField> fields, List<PointerProblem> problems)
    {
        RejectUnknown(group, pointer, GroupKeys, "type, title, description and properties", problems);
        Text(group, pointer, "title", problems);
        Text(group, pointer, "description", problems);
        if (!group.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(JsonPointer.Append(pointer, "properties"), "A group needs \"properties\": an object of field name → field."));
            return;
        }

        foreach (var p in props.EnumerateObject())
        {
            var at = JsonPointer.Append(JsonPointer.Append(pointer, "properties"), p.Name);
            if (!CheckName(p.Name, at, problems))
            {
                continue;
            }

            if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "object")
            {
                problems.Add(new(JsonPointer.Append(at, "type"), "Groups nest one level only: a group's fields are strings, numbers, integers, booleans or string arrays."));
                continue;
            }

            if (ReadField(p.Value, at, name, p.Name, problems) is { } field)
            {
                fields.Add(field);
            }
        }
    }

    private static ConfigField? ReadField(JsonElement el, string at, string? group, string name, List<PointerProblem> problems)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(at, "A field must be an object like {\"type\": \"string\", \"title\": \"Time zone\"}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknown(el, at, FieldKeys, "type, title, description, default, minimum, maximum, maxLength, maxItems, enum, items and secret", problems);
        ConfigFieldType? type = null;
        var typeAt = JsonPointer.Append(at, "type");
        if (!el.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String)
        {
            problems.Add(new(typeAt, "A field needs a \"type\": \"string\", \"number\", \"integer\", \"boolean\", \"array\" (of strings) or \"object\" (a group)."));
        }
        else
        {
            type = typeEl.GetString() switch
            {
                "string" => ConfigFieldType.String,
                "number" => ConfigFieldType.Number,
                "integer" => ConfigFieldType.Integer,
                "boolean" => ConfigFieldType.Boolean,
                "array" => ConfigFieldType.StringArray,
                _ => null,
            };
            if (type is null)
            {
                problems.Add(new(typeAt, $"The type {StrictJson.Quote(typeEl.GetString()!)} is not supported; use \"string\", \"number\", \"integer\", \"boolean\", \"array\" or \"object\"."));
            }
        }

        var title = Text(el, at, "title", problems);
        var description = Text(el, at, "description", problems);
        var numeric = type is ConfigFieldType.Number or ConfigFieldType.Integer;
        var minimum = Number(el, at, "minimum", numeric, type, problems);
        var maximum = Number(el, at, "maximum", numeric, type, problems);
        if (minimum is { } min && maximum is { } max && min > max)
        {
            problems.Add(new(JsonPointer.Append(at, "maximum"), "\"maximum\" is below \"minimum\"."));
        }

        var maxLength = Count(el, at, "maxLength", type == ConfigFieldType.String, DefaultMaxLength, MaxMaxLength, problems);
        var maxItems = Count(el, at, "maxItems", type == ConfigFieldType.StringArray, DefaultMaxItems, MaxMaxItems, problems);
        var itemEnum = new List<JsonElement>();
        if (type == ConfigFieldType.StringArray)
        {
            maxLength = ReadItems(el, at, itemEnum, problems);
        }
        else if (el.TryGetProperty("items", out _))
        {
            problems.Add(new(JsonPointer.Append(at, "items"), "\"items\" belongs to \"array\" fields only."));
        }

        var enumValues = ReadEnum(el, at, type, problems);
        var secret = false;
        if (el.TryGetProperty("secret", out var secretEl))
        {
            if (secretEl.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add(new(JsonPointer.Append(at, "secret"), "\"secret\" is true or false."));
            }
            else if (secretEl.ValueKind == JsonValueKind.True)
            {
                secret = true;
                if (type != ConfigFieldType.String || enumValues.Count > 0)
                {
                    problems.Add(new(JsonPointer.Append(at, "secret"), "Only free-text string fields can be secret."));
                }

                if (el.TryGetProperty("default", out _))
                {
                    problems.Add(new(JsonPointer.Append(at, "default"), "A secret field has no default: anything in the manifest is public."));
                }
            }
        }

        if (problems.Count > before || type is not { } fieldType)
        {
            return null;
        }

        var pointer = group is null ? "/" + Escape(name) : "/" + Escape(group) + "/" + Escape(name);
        var field = new ConfigField(pointer, group, name, fieldType, title, description, null, minimum, maximum, maxLength, maxItems,
            fieldType == ConfigFieldType.StringArray ? itemEnum : enumValues, secret);
        if (el.TryGetProperty("default", out var defaultEl))
        {
            var defaultProblems = new List<PointerProblem>();
            CheckValue(field, defaultEl, JsonPointer.Append(at, "default"), defaultProblems);
            if (defaultProblems.Count > 0)
            {
                problems.AddRange(defaultProblems.Select(p => new PointerProblem(p.Pointer, "The default does not fit its field: " + p.Message)));
                return null;
            }

            field = field with { Default = defaultEl.Clone() };
        }

        return field;
    }

    private static int ReadItems(JsonElement el, string at, List<JsonElement> itemEnum, List<PointerProblem> problems)
    {
        var itemsAt = JsonPointer.Append(at, "items");
        if (!el.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object
            || !items.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "string")
        {
            problems.Add(new(itemsAt, "An array field holds strings: \"items\": {\"type\": \"string\"}."));
            return DefaultMaxLength;
        }

        RejectUnknown(items, itemsAt, ItemKeys, "type, maxLength and enum", problems);
        itemEnum.AddRange(ReadEnum(items, itemsAt, ConfigFieldType.String, problems));
        return Count(items, itemsAt, "maxLength", true, DefaultMaxLength, MaxMaxLength, problems);
    }

    private static List<JsonElement> ReadEnum(JsonElement el, string at, ConfigFieldType? type, List<PointerProblem> problems)
    {
        var values = new List<JsonElement>();
        if (!el.TryGetProperty("enum", out var e))
        {
            return values;
        }

        var enumAt = JsonPointer.Append(at, "enum");
        if (type is not (ConfigFieldType.String or ConfigFieldType.Number or ConfigFieldType.Integer))
        {
            problems.Add(new(enumAt, type == ConfigFieldType.StringArray
                ? "An array field lists its choices in \"items\": {\"type\": \"string\", \"enum\": […]}."
                : "\"enum\" belongs to string, number and integer fields."));
            return values;
        }

        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() is 0 or > MaxEnumValues)
        {
            problems.Add(new(enumAt, $"\"enum\" is an array of 1 to {MaxEnumValues} choices."));
            return values;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var v in e.EnumerateArray())
        {
            var vAt = JsonPointer.Append(enumAt, i++);
            var ok = type == ConfigFieldType.String
                ? v.ValueKind == JsonValueKind.String && v.GetString()!.Length <= MaxTextLength
                : v.ValueKind == JsonValueKind.Number && (type != ConfigFieldType.Integer || IsInteger(v));
            if (!ok)
            {
                problems.Add(new(vAt, type == ConfigFieldType.String ? $"A choice is a string of at most {MaxTextLength} characters." : $"A choice is a{(type == ConfigFieldType.Integer ? "n integer" : " number")}."));
            }
            else if (!seen.Add(v.GetRawText()))
            {
                problems.Add(new(vAt, "This choice is listed twice."));
            }
            else
            {
                values.Add(v.Clone());
            }
        }

        return values;
    }

    /// <summary>
    /// Checks a whole configuration document (non-secret fields and secret fields as strings or
    /// null) against the schema; every problem has a pointer into the document.
    /// </summary>
    public static IReadOnlyList<PointerProblem> Validate(ConfigSchema schema, JsonElement values)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<PointerProblem>();
        if (values.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("", "The configuration must be a JSON object of field name → value."));
            return problems;
        }

        var groups = schema.Fields.Where(f => f.Group is not null).Select(f => f.Group!).ToHashSet(StringComparer.Ordinal);
        foreach (var p in values.EnumerateObject())
        {
            var at = "/" + Escape(p.Name);
            if (groups.Contains(p.Name))
            {
                if (p.Value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(new(at, "This is a group of fields: an object."));
                    continue;
                }

                foreach (var q in p.Value.EnumerateObject())
                {
                    var qAt = at + "/" + Escape(q.Name);
                    if (schema.Find(qAt) is { } groupField)
                    {
                        CheckSaved(groupField, q.Value, qAt, problems);
                    }
                    else
                    {
                        problems.Add(new(qAt, $"There is no field {StrictJson.Quote(q.Name)} in this group."));
                    }
                }
            }
            else if (schema.Find(at) is { } field)
            {
                CheckSaved(field, p.Value, at, problems);
            }
            else
            {
                problems.Add(new(at, $"There is no field {StrictJson.Quote(p.Name)} in this plugin's configuration."));
            }
        }

        return problems;
    }

    /// <summary>A secret field takes a new value (a string) or null to clear it; others take a value of their type.</summary>
    private static void CheckSaved(ConfigField field, JsonElement value, string at, List<PointerProblem> problems)
    {
        if (field.Secret && value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        CheckValue(field, value, at, problems);
    }

    /// <summary>Problems of one value for <paramref name="field"/>, at <paramref name="at"/>.</summary>
    public static void CheckValue(ConfigField field, JsonElement value, string at, List<PointerProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(problems);
        switch (field.Type)
        {
            case ConfigFieldType.Boolean:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add(new(at, "Choose yes or no (true or false)."));
                }

                return;
            case ConfigFieldType.String:
                if (value.ValueKind != JsonValueKind.String)
                {
                    problems.Add(new(at, "Enter text."));
                }
                else
                {
                    CheckText(value.GetString()!, field.MaxLength, field.Enum, at, problems);
                }

                return;
            case ConfigFieldType.Number:
            case ConfigFieldType.Integer:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d))
                {
                    problems.Add(new(at, field.Type == ConfigFieldType.Integer ? "Enter a whole number." : "Enter a number."));
                    return;
                }

                if (field.Type == ConfigFieldType.Integer && !IsInteger(value))
                {
                    problems.Add(new(at, "Enter a whole number."));
                }
                else if (field.Minimum is { } min && d < min)
                {
                    problems.Add(new(at, string.Create(CultureInfo.InvariantCulture, $"The smallest value allowed is {min}.")));
                }
                else if (field.Maximum is { } max && d > max)
                {
                    problems.Add(new(at, string.Create(CultureInfo.InvariantCulture, $"The largest value allowed is {max}.")));
                }
                else if (field.Enum.Count > 0 && !field.Enum.Any(e => e.GetDouble() == d))
                {
                    problems.Add(new(at, $"Choose one of {string.Join(", ", field.Enum.Select(e => e.GetRawText()))}."));
                }

                return;
            case ConfigFieldType.StringArray:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add(new(at, "Enter a list of texts."));
                    return;
                }

                if (value.GetArrayLength() > field.MaxItems)
                {
                    problems.Add(new(at, string.Create(CultureInfo.InvariantCulture, $"At most {field.MaxItems} entries are allowed.")));
                    return;
                }

                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemAt = at + "/" + i++.ToString(CultureInfo.InvariantCulture);
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        problems.Add(new(itemAt, "Each entry is text."));
                    }
                    else
                    {
                        CheckText(item.GetString()!, field.MaxLength, field.Enum, itemAt, problems);
                    }
                }

                return;
        }
    }

    private static void CheckText(string text, int maxLength, IReadOnlyList<JsonElement> choices, string at, List<PointerProblem> problems)
    {
        if (text.Length > maxLength)
        {
            problems.Add(new(at, string.Create(CultureInfo.InvariantCulture, $"At most {maxLength} characters are allowed; this has {text.Length}.")));
        }
        else if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
        {
            problems.Add(new(at, "Control characters are not allowed."));
        }
        else if (choices.Count > 0 && !choices.Any(c => c.GetString() == text))
        {
            problems.Add(new(at, $"Choose one of {string.Join(", ", choices.Select(c => c.GetRawText()))}."));
        }
    }

    /// <summary>
    /// What cards and services see: every non-secret field's saved value when it still fits the
    /// schema (a new version may have narrowed it), else its default; secret fields never appear.
    /// </summary>
    public static JsonObject Effective(ConfigSchema? schema, JsonElement? saved)
    {
        var result = new JsonObject();
        if (schema is null)
        {
            return result;
        }

        foreach (var field in schema.Fields.Where(f => !f.Secret))
        {
            JsonElement? value = null;
            if (saved is { ValueKind: JsonValueKind.Object } s && Lookup(s, field) is { } v)
            {
                var problems = new List<PointerProblem>();
                CheckValue(field, v, field.Pointer, problems);
                value = problems.Count == 0 ? v : null;
            }

            value ??= field.Default;
            if (value is not { } chosen)
            {
                continue;
            }

            var target = result;
            if (field.Group is { } group)
            {
                if (result[group] is not JsonObject g)
                {
                    g = new JsonObject();
                    result[group] = g;
                }

                target = g;
            }

            target[field.Name] = JsonNode.Parse(chosen.GetRawText());
        }

        return result;
    }

    /// <summary>The value of <paramref name="field"/> in a configuration document, if present.</summary>
    public static JsonElement? Lookup(JsonElement document, ConfigField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (document.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (field.Group is { } group)
        {
            return document.TryGetProperty(group, out var g) && g.ValueKind == JsonValueKind.Object && g.TryGetProperty(field.Name, out var gv) ? gv : null;
        }

        return document.TryGetProperty(field.Name, out var v) ? v : null;
    }

    private static bool CheckName(string name, string at, List<PointerProblem> problems)
    {
        if (NamePattern().IsMatch(name))
        {
            return true;
        }

        problems.Add(new(at, $"{StrictJson.Quote(name)} is not a field name: a letter, then letters, digits or _ (at most {MaxNameLength})."));
        return false;
    }

    private static void RequireObjectType(JsonElement el, string at, List<PointerProblem> problems)
    {
        if (!el.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "object")
        {
            problems.Add(new(JsonPointer.Append(at, "type"), "\"configSchema\" has \"type\": \"object\"."));
        }
    }

    private static void RejectUnknown(JsonElement el, string at, FrozenSet<string> allowed, string list, List<PointerProblem> problems)
    {
        foreach (var p in el.EnumerateObject())
        {
            if (allowed.Contains(p.Name))
            {
                continue;
            }

            problems.Add(new(JsonPointer.Append(at, p.Name), p.Name == "pattern"
                ? "\"pattern\" is not supported: the host would run the plugin's regular expression on what an admin types. Use enum or maxLength."
                : $"{StrictJson.Quote(p.Name)} is not supported here; use {list}."));
        }
    }

    private static string? Text(JsonElement el, string at, string key, List<PointerProblem> problems)
    {
        if (!el.TryGetProperty(key, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String || v.GetString()!.Length > MaxTextLength)
        {
            problems.Add(new(JsonPointer.Append(at, key), $"\"{key}\" is a string of at most {MaxTextLength} characters."));
            return null;
        }

        // Drawn in the admin's settings form: nothing in it may make it read as something else.
        if (DisplayText.Refusal(key, v.GetString()!) is { } refusal)
        {
            problems.Add(new(JsonPointer.Append(at, key), refusal));
            return null;
        }

        return v.GetString();
    }

    private static double? Number(JsonElement el, string at, string key, bool allowed, ConfigFieldType? type, List<PointerProblem> problems)
    {
        if (!el.TryGetProperty(key, out var v))
        {
            return null;
        }

        if (!allowed)
        {
            problems.Add(new(JsonPointer.Append(at, key), $"\"{key}\" belongs to number and integer fields."));
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || (type == ConfigFieldType.Integer && !IsInteger(v)))
        {
            problems.Add(new(JsonPointer.Append(at, key), $"\"{key}\" is a{(type == ConfigFieldType.Integer ? "n integer" : " number")}."));
            return null;
        }

        return d;
    }

    private static int Count(JsonElement el, string at, string key, bool allowed, int fallback, int max, List<PointerProblem> problems)
    {
        if (!el.TryGetProperty(key, out var v))
        {
            return fallback;
        }

        if (!allowed)
        {
            problems.Add(new(JsonPointer.Append(at, key), key == "maxLength" ? "\"maxLength\" belongs to string fields (and array items)." : "\"maxItems\" belongs to array fields."));
            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < 1 || n > max)
        {
            problems.Add(new(JsonPointer.Append(at, key), string.Create(CultureInfo.InvariantCulture, $"\"{key}\" is a whole number from 1 to {max}.")));
            return fallback;
        }

        return n;
    }

    private static bool IsInteger(JsonElement v) => v.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= 9007199254740991;

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
