using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Labyrinth.Core.Manifests;

/// <summary>
/// The JSON Schemas of a plugin API (<c>api.methods.*.input</c> / <c>output</c>): a draft-07
/// subset both validators implement alike — NJsonSchema on the host, <c>@cfworker/json-schema</c>
/// in the page — checked keyword by keyword with a JSON pointer per problem, then compiled once.
/// Keywords that would run plugin input through a regular-expression engine (<c>pattern</c>,
/// <c>patternProperties</c>) or that the two validators read differently (<c>format</c>,
/// <c>if</c>/<c>then</c>/<c>else</c>, tuple <c>items</c>) are refused, and <c>$ref</c> only
/// points into the schema's own <c>definitions</c>, so compiling never fetches anything.
/// </summary>
public static class ApiSchemaRules
{
    public const int MaxSchemaBytes = 64 * 1024;
    public const int MaxDepth = 32;
    public const int MaxEnumValues = 256;
    public const string Draft07 = "http://json-schema.org/draft-07/schema#";

    private static readonly FrozenSet<string> Types = new[] { "object", "array", "string", "number", "integer", "boolean", "null" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Counts = new[]
    {
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Numbers = new[]
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Annotations = new[] { "title", "description", "$comment" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> FreeValues = new[] { "default", "examples" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pattern"] = "\"pattern\" is not supported: the host would run the plugin's regular expression on every call. Use enum, const or length limits.",
        ["patternProperties"] = "\"patternProperties\" is not supported: the host would run the plugin's regular expression on every call.",
        ["format"] = "\"format\" is not supported: validators disagree on what each format means.",
        ["if"] = "\"if\"/\"then\"/\"else\" are not supported; use oneOf or anyOf.",
        ["then"] = "\"if\"/\"then\"/\"else\" are not supported; use oneOf or anyOf.",
        ["else"] = "\"if\"/\"then\"/\"else\" are not supported; use oneOf or anyOf.",
        ["$id"] = "\"$id\" is not supported: an API schema is one self-contained document.",
        ["id"] = "\"id\" is not supported: an API schema is one self-contained document.",
        ["dependencies"] = "\"dependencies\" is not supported; use required inside oneOf or anyOf.",
        ["const"] = "\"const\" is not supported: write an enum of one value, like {\"enum\": [3]}.",
        ["contains"] = "\"contains\" is not supported.",
        ["propertyNames"] = "\"propertyNames\" is not supported.",
        ["additionalItems"] = "\"additionalItems\" is not supported: items takes one schema for every element.",
        ["contentMediaType"] = "\"contentMediaType\" is not supported.",
        ["contentEncoding"] = "\"contentEncoding\" is not supported.",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Checks <paramref name="schema"/> (located at <paramref name="pointer"/> in the manifest) and
    /// compiles it; null, with the problems added, when it is not usable.
    /// </summary>
    public static JsonSchema? Compile(JsonElement schema, string pointer, List<PointerProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "A schema must be a JSON Schema object like {\"type\": \"object\", \"properties\": {…}}."));
            return null;
        }

        var text = schema.GetRawText();
        if (Encoding.UTF8.GetByteCount(text) > MaxSchemaBytes)
        {
            problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"A schema is at most {MaxSchemaBytes / 1024} KiB.")));
            return null;
        }

        var definitions = schema.TryGetProperty("definitions", out var defs) && defs.ValueKind == JsonValueKind.Object
            ? defs.EnumerateObject().Select(p => p.Name).ToFrozenSet(StringComparer.Ordinal)
            : FrozenSet<string>.Empty;
        CheckSchema(schema, pointer, depth: 0, isRoot: true, definitions, problems);
        if (problems.Count > before)
        {
            return null;
        }

        try
        {
            return JsonSchema.FromJsonAsync(text).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException or Newtonsoft.Json.JsonException)
        {
            problems.Add(new(pointer, "This is not a JSON Schema the host can compile: " + e.Message));
            return null;
        }
    }

    /// <summary>
    /// Validates <paramref name="value"/>; the problems carry JSON pointers into the value (RFC
    /// 6901), at most <paramref name="max"/>.
    /// </summary>
    public static IReadOnlyList<PointerProblem> Validate(JsonSchema schema, JsonElement value, int max = 20)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var errors = schema.Validate(value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText());
        var result = new List<PointerProblem>();
        Flatten(errors, result, max);
        return result;
    }

    private static void Flatten(IEnumerable<ValidationError> errors, List<PointerProblem> into, int max)
    {
        foreach (var e in errors)
        {
            if (into.Count >= max)
            {
                return;
            }

            if (e is ChildSchemaValidationError child && child.Errors.Count > 0 && e.Kind is not (ValidationErrorKind.NotOneOf or ValidationErrorKind.NotAnyOf))
            {
                foreach (var nested in child.Errors.Values)
                {
                    Flatten(nested, into, max);
                }

                continue;
            }

            into.Add(new(Pointer(e.Path), Describe(e)));
        }
    }

    /// <summary>NJsonSchema paths look like <c>#/items[2].name</c>; pointers like <c>/items/2/name</c>.</summary>
    internal static string Pointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#")
        {
            return "";
        }

        var body = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        var pointer = new StringBuilder();
        var token = new StringBuilder();
        void Flush()
        {
            if (token.Length > 0)
            {
                pointer.Append(JsonPointer.Append("", token.ToString()));
                token.Clear();
            }
        }

        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '.')
            {
                Flush();
            }
            else if (c == '[' && body.IndexOf(']', i) is var close and > 0 && int.TryParse(body.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                Flush();
                pointer.Append('/').Append(index.ToString(CultureInfo.InvariantCulture));
                i = close;
            }
            else
            {
                token.Append(c);
            }
        }

        Flush();
        return pointer.ToString();
    }

    private static string Describe(ValidationError e)
    {
        var where = string.IsNullOrEmpty(e.Property) ? "The value" : $"\"{e.Property}\"";
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"{where} is required.",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"{where} is not allowed here.",
            ValidationErrorKind.StringExpected => $"{where} must be a string.",
            ValidationErrorKind.NumberExpected => $"{where} must be a number.",
            ValidationErrorKind.IntegerExpected => $"{where} must be an integer.",
            ValidationErrorKind.BooleanExpected => $"{where} must be true or false.",
            ValidationErrorKind.ObjectExpected => $"{where} must be an object.",
            ValidationErrorKind.ArrayExpected => $"{where} must be an array.",
            ValidationErrorKind.NullExpected => $"{where} must be null.",
            ValidationErrorKind.StringTooShort => $"{where} is too short.",
            ValidationErrorKind.StringTooLong => $"{where} is too long.",
            ValidationErrorKind.NumberTooSmall => $"{where} is too small.",
            ValidationErrorKind.NumberTooBig => $"{where} is too big.",
            ValidationErrorKind.NumberNotMultipleOf => $"{where} is not a multiple of the required step.",
            ValidationErrorKind.TooManyItems => $"{where} has too many items.",
            ValidationErrorKind.TooFewItems => $"{where} has too few items.",
            ValidationErrorKind.ItemsNotUnique => $"{where} has repeated items.",
            ValidationErrorKind.TooManyProperties => $"{where} has too many properties.",
            ValidationErrorKind.TooFewProperties => $"{where} has too few properties.",
            ValidationErrorKind.NotInEnumeration => $"{where} is not one of the allowed values.",
            ValidationErrorKind.NotOneOf => $"{where} matches none (or more than one) of the allowed shapes.",
            ValidationErrorKind.NotAnyOf => $"{where} matches none of the allowed shapes.",
            ValidationErrorKind.NotAllOf => $"{where} does not match every required shape.",
            ValidationErrorKind.ExcludedSchemaValidates => $"{where} matches a shape that is not allowed.",
            _ => $"{where} is invalid ({e.Kind}).",
        };
    }

    private static void CheckSchema(JsonElement schema, string pointer, int depth, bool isRoot, FrozenSet<string> definitions, List<PointerProblem> problems)
    {
        if (depth > MaxDepth)
        {
            problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"A schema nests at most {MaxDepth} levels.")));
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "A schema must be an object."));
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var at = JsonPointer.Append(pointer, keyword.Name);
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "$schema":
                    if (!isRoot || value.ValueKind != JsonValueKind.String || value.GetString() != Draft07)
                    {
                        problems.Add(new(at, $"\"$schema\" may only say \"{Draft07}\", at the schema's root."));
                    }

                    break;
                case "type":
                    CheckType(value, at, problems);
                    break;
                case "properties":
                case "definitions":
                    if (keyword.Name == "definitions" && !isRoot)
                    {
                        problems.Add(new(at, "\"definitions\" belong at the schema's root."));
                    }
                    else if (value.ValueKind != JsonValueKind.Object)
                    {
                        problems.Add(new(at, $"\"{keyword.Name}\" must be an object of name → schema."));
                    }
                    else
                    {
                        foreach (var p in value.EnumerateObject())
                        {
                            CheckSchema(p.Value, JsonPointer.Append(at, p.Name), depth + 1, false, definitions, problems);
                        }
                    }

                    break;
                case "required":
                    CheckNames(value, at, problems);
                    break;
                case "additionalProperties":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        CheckSchema(value, at, depth + 1, false, definitions, problems);
                    }

                    break;
                case "items":
                case "not":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        problems.Add(new(at, $"\"{keyword.Name}\" takes one schema (tuples are not supported)."));
                    }
                    else
                    {
                        CheckSchema(value, at, depth + 1, false, definitions, problems);
                    }

                    break;
                case "oneOf":
                case "anyOf":
                case "allOf":
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    {
                        problems.Add(new(at, $"\"{keyword.Name}\" must be a non-empty array of schemas."));
                    }
                    else
                    {
                        var i = 0;
                        foreach (var item in value.EnumerateArray())
                        {
                            CheckSchema(item, JsonPointer.Append(at, i++), depth + 1, false, definitions, problems);
                        }
                    }

                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxEnumValues)
                    {
                        problems.Add(new(at, string.Create(CultureInfo.InvariantCulture, $"\"enum\" must be an array of 1–{MaxEnumValues} values.")));
                    }

                    break;
                case "uniqueItems":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        problems.Add(new(at, "\"uniqueItems\" must be true or false."));
                    }

                    break;
                case "$ref":
                    CheckRef(value, at, definitions, problems);
                    break;
                case var name when Counts.Contains(name):
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var count) || count < 0)
                    {
                        problems.Add(new(at, $"\"{name}\" must be a whole number, 0 or more."));
                    }

                    break;
                case var name when Numbers.Contains(name):
                    if (value.ValueKind != JsonValueKind.Number || (name == "multipleOf" && value.GetDouble() <= 0))
                    {
                        problems.Add(new(at, name == "multipleOf" ? "\"multipleOf\" must be a number above 0." : $"\"{name}\" must be a number."));
                    }

                    break;
                case var name when Annotations.Contains(name):
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        problems.Add(new(at, $"\"{name}\" must be a string."));
                    }

                    break;
                case var name when FreeValues.Contains(name):
                    break;
                case var name when Refused.TryGetValue(name, out var why):
                    problems.Add(new(at, why));
                    break;
                default:
                    problems.Add(new(at, $"{StrictJson.Quote(keyword.Name)} is not a JSON Schema keyword the host supports here."));
                    break;
            }
        }
    }

    private static void CheckType(JsonElement value, string at, List<PointerProblem> problems)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            if (!Types.Contains(value.GetString()!))
            {
                problems.Add(new(at, $"{StrictJson.Quote(value.GetString()!)} is not a JSON Schema type; use one of {string.Join(", ", Types.Order(StringComparer.Ordinal))}."));
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            problems.Add(new(at, "\"type\" must be a type name or a non-empty array of type names."));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var t in value.EnumerateArray())
        {
            var itemAt = JsonPointer.Append(at, i++);
            if (t.ValueKind != JsonValueKind.String || !Types.Contains(t.GetString()!) || !seen.Add(t.GetString()!))
            {
                problems.Add(new(itemAt, "Each type must be a JSON Schema type name, listed once."));
            }
        }
    }

    private static void CheckNames(JsonElement value, string at, List<PointerProblem> problems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new(at, "\"required\" must be an array of property names."));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var n in value.EnumerateArray())
        {
            var itemAt = JsonPointer.Append(at, i++);
            if (n.ValueKind != JsonValueKind.String || !seen.Add(n.GetString()!))
            {
                problems.Add(new(itemAt, "Each required property is a name, listed once."));
            }
        }
    }

    private static void CheckRef(JsonElement value, string at, FrozenSet<string> definitions, List<PointerProblem> problems)
    {
        const string Prefix = "#/definitions/";
        var target = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        var name = target.StartsWith(Prefix, StringComparison.Ordinal) ? target[Prefix.Length..] : null;
        if (name is null || name.Contains('/', StringComparison.Ordinal) || name.Contains('~', StringComparison.Ordinal) || !definitions.Contains(name))
        {
            problems.Add(new(at, "\"$ref\" may only name one of this schema's own definitions, like \"#/definitions/point\"."));
        }
    }
}
