using Labyrinth.Core.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Infrastructure;

/// <summary>One way to say no: RFC 9457 problem details carrying a stable <c>code</c>.</summary>
internal static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                extensions[k] = v;
            }
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(status), extensions: extensions);
    }

    public static ValidationProblem Validation(string code, string detail, IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "The request is invalid.", extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem Validation(string detail, string field, string message) =>
        Validation(ErrorCodes.ValidationFailed, detail, new Dictionary<string, string[]> { [field] = [message] });

    private static string TitleFor(int status) => status switch
    {
        400 => "The request is invalid.",
        401 => "You need to sign in.",
        403 => "You are not allowed to do this.",
        404 => "Not found.",
        409 => "Conflict.",
        410 => "Gone.",
        412 => "Someone else changed this first.",
        413 => "Too large.",
        428 => "A version is required.",
        429 => "Too many requests.",
        507 => "The server is out of storage.",
        _ => "The request failed.",
    };
}
