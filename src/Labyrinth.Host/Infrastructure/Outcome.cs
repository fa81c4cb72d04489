using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Infrastructure;

/// <summary>What kind of no a service said; the endpoint turns it into an HTTP status.</summary>
internal enum RefusalKind
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>A service's refusal in domain terms: a stable code from the catalogue and a sentence for a person.</summary>
internal sealed record Refusal(RefusalKind Kind, string Code, string Detail, IDictionary<string, object?>? Extra = null)
{
    public static Refusal Invalid(string code, string detail, IDictionary<string, object?>? extra = null) => new(RefusalKind.Invalid, code, detail, extra);

    public static Refusal NotFound(string code, string detail) => new(RefusalKind.NotFound, code, detail);

    public static Refusal Conflict(string code, string detail, IDictionary<string, object?>? extra = null) => new(RefusalKind.Conflict, code, detail, extra);

    /// <summary>The problem details an endpoint answers with.</summary>
    public ProblemHttpResult ToProblem() => Problems.Create(
        Kind switch
        {
            RefusalKind.NotFound => StatusCodes.Status404NotFound,
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        },
        Code,
        Detail,
        Extra);
}

/// <summary>A service outcome: the value, or why not.</summary>
internal readonly record struct Outcome<T>(T? Value, Refusal? Refusal)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
}

internal static class OutcomeResults
{
    /// <summary>200 with the value, or the refusal as problem details.</summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult>> OkOrProblemAsync<T>(this Task<Outcome<T>> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var outcome = await task;
        return outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Ok(outcome.Value!);
    }

    /// <summary>204, or the refusal as problem details.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> NoContentOrProblemAsync(this Task<Refusal?> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return await task is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }
}
