using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Labyrinth.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// How the host reads JSON that people, pages and the CLI send: one set of options for request
/// bodies and hub arguments, and one answer for a request that cannot be read (400
/// <c>request.invalid</c> with a JSON pointer, 413 <c>request.too_large</c>) instead of a bare
/// status without a code.
/// </summary>
internal static class RequestJson
{
    public const string NulMessage = "Text cannot contain the character U+0000 (NUL).";

    public static IServiceCollection AddRequestJson(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        // The framework then throws what it would have answered with a bare 400, and the handler
        // below answers it with a code and a sentence.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestHandler>();
        return services;
    }

    /// <summary>For the few routes that read their body themselves (size checked first): the same rules.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxDepth = 64;
        options.Converters.Add(new TextConverter());
    }

    /// <summary>
    /// The JSON pointer of an <see cref="JsonException.Path"/> (<c>$.values.apiKey</c>,
    /// <c>$.items[2]</c>, <c>$['a b']</c>), or null for the document itself or a path it cannot read.
    /// </summary>
    public static string? Pointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$" || path[0] != '$')
        {
            return null;
        }

        var pointer = new StringBuilder();
        var i = 1;
        while (i < path.Length)
        {
            string segment;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segment = path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                segment = path[(i + 2)..end];
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0)
                {
                    return null;
                }

                segment = path[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                return null;
            }

            pointer.Append('/').Append(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        return pointer.Length == 0 ? null : pointer.ToString();
    }

    /// <summary>
    /// Every string a request carries is text a person or a plugin typed: names, titles, reasons.
    /// U+0000 is never part of such text, PostgreSQL refuses it in every text column (the insert, or
    /// even a sign-in's look-up, failed with a 500 there while SQLite stored it), and C-string
    /// consumers would cut the text short at it, so it is refused where the text enters.
    /// JSON values a plugin stores as data (payloads, storage values) are JSON documents, not
    /// strings, and keep their escapes.
    /// </summary>
    private sealed class TextConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException();
            }

            var text = reader.GetString();
            if (text is not null && text.Contains('\0', StringComparison.Ordinal))
            {
                throw new JsonException(NulMessage);
            }

            return text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.WriteStringValue(value);
        }

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? "";
            return text.Contains('\0', StringComparison.Ordinal) ? throw new JsonException(NulMessage) : text;
        }

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.WritePropertyName(value);
        }
    }
}

/// <summary>
/// A request the framework could not bind (a body that is not JSON, or not of the route's shape; a
/// missing body; a route or query value of the wrong type; a body over the server's limit)
/// answers problem details with a code and a sentence, like every refusal of the host's own.
/// </summary>
internal sealed class BadRequestHandler : IExceptionHandler
{
    public const string UnsupportedMediaTypeDetail = "This address reads a JSON body: send it with Content-Type: application/json.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var (status, code, detail) = Describe(bad);
        await Problems.Create(status, code, detail).ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>The code and sentence for a bare status the framework answered by itself, or null for one it never does.</summary>
    internal static (string Code, string Title, string Detail)? ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => (ErrorCodes.ValidationFailed, "The request is invalid.",
            "A value in the address (route or query string) or the body is not of the type this request takes; docs/api.md lists them."),
        StatusCodes.Status413PayloadTooLarge => (ErrorCodes.RequestTooLarge, "Content Too Large", "The request body is larger than this server accepts."),
        StatusCodes.Status405MethodNotAllowed => (ErrorCodes.MethodNotAllowed, "Method Not Allowed", "This address does not take this method."),
        StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.UnsupportedMediaType, "Unsupported Media Type", UnsupportedMediaTypeDetail),
        _ => null,
    };

    internal static (int Status, string Code, string Detail) Describe(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (bad.StatusCode, ErrorCodes.RequestTooLarge, "The request body is larger than this server accepts.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (bad.StatusCode, ErrorCodes.UnsupportedMediaType, UnsupportedMediaTypeDetail);
        }

        if (bad.InnerException is JsonException json)
        {
            var pointer = RequestJson.Pointer(json.Path);
            var at = pointer is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (at {pointer})");
            // STJ's own messages name .NET types; the pointer says where, docs/api.md says what.
            var detail = json.Message.StartsWith(RequestJson.NulMessage, StringComparison.Ordinal)
                ? $"{RequestJson.NulMessage[..^1]}{at}."
                : $"The request body is not the JSON this request takes{at}: malformed, or a value of another type; docs/api.md lists each request's fields.";
            return (StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, detail);
        }

        // What remains is the framework's own binding: a missing body, or a route or query value
        // that does not parse. Its message names the parameter, never a value or a path on disk.
        return (StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
            bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && !bad.Message.StartsWith("Failed to bind", StringComparison.Ordinal)
                ? "This request needs a JSON body; docs/api.md lists each request's fields."
                : "A value in the address (route or query string) is not of the type this request takes; docs/api.md lists them.");
    }
}
