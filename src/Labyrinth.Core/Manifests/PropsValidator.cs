using System.Text.Json;
using NJsonSchema;

namespace Labyrinth.Core.Manifests;

/// <summary>Validates card props against the card's <c>propsSchema</c> (JSON Schema).</summary>
public static class PropsValidator
{
    public const int MaxSchemaBytes = 64 * 1024;

    /// <summary>Returns null when the schema can be used, else a sentence.</summary>
    public static string? CheckSchema(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "\"propsSchema\" must be a JSON Schema object.";
        }

        var text = schema.GetRawText();
        if (text.Length > MaxSchemaBytes)
        {
            return $"\"propsSchema\" is larger than {MaxSchemaBytes} bytes.";
        }

        // External references would make the host fetch URLs chosen by a plugin author.
        if (text.Contains("\"$ref\"", StringComparison.Ordinal) && text.Contains("://", StringComparison.Ordinal))
        {
            return "\"propsSchema\" must not reference external schemas.";
        }

        try
        {
            _ = Parse(text);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException)
        {
            return "\"propsSchema\" is not a valid JSON Schema: " + ex.Message;
        }
    }

    /// <summary>Validates <paramref name="props"/>; returns the problems as (path, sentence).</summary>
    public static IReadOnlyList<(string Path, string Message)> Validate(JsonElement schema, JsonElement props)
    {
        var parsed = Parse(schema.GetRawText());
        var errors = parsed.Validate(props.GetRawText());
        return errors
            .Select(e => (Path: string.IsNullOrEmpty(e.Path) ? "#" : e.Path!, Message: Describe(e)))
            .ToList();
    }

    private static JsonSchema Parse(string text) =>
        JsonSchema.FromJsonAsync(text).GetAwaiter().GetResult();

    private static string Describe(NJsonSchema.Validation.ValidationError e)
    {
        var where = string.IsNullOrEmpty(e.Property) ? "props" : $"\"{e.Property}\"";
        return e.Kind switch
        {
            NJsonSchema.Validation.ValidationErrorKind.NoAdditionalPropertiesAllowed => $"{where} is not a known prop.",
            NJsonSchema.Validation.ValidationErrorKind.PropertyRequired => $"{where} is required.",
            NJsonSchema.Validation.ValidationErrorKind.StringTooLong => $"{where} is too long.",
            NJsonSchema.Validation.ValidationErrorKind.StringTooShort => $"{where} is too short.",
            NJsonSchema.Validation.ValidationErrorKind.StringExpected => $"{where} must be a string.",
            NJsonSchema.Validation.ValidationErrorKind.NumberExpected or NJsonSchema.Validation.ValidationErrorKind.IntegerExpected => $"{where} must be a number.",
            NJsonSchema.Validation.ValidationErrorKind.BooleanExpected => $"{where} must be true or false.",
            NJsonSchema.Validation.ValidationErrorKind.ObjectExpected => $"{where} must be an object.",
            NJsonSchema.Validation.ValidationErrorKind.ArrayExpected => $"{where} must be an array.",
            _ => $"{where} is invalid ({e.Kind}).",
        };
    }
}
