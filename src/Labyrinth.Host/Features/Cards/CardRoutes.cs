using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Cards;

/// <summary>
/// The route group every per-card endpoint hangs from. Its one filter resolves the card before any
/// handler runs, so a handler only ever sees a card on a board of the caller's, and a missing
/// board, a missing window, a built-in window and another person's card all get the same 404.
/// </summary>
internal static class CardRoutes
{
    public const string Prefix = "/api/cards/{boardId:guid}/{windowId}";

    /// <summary>
    /// Where card state and snapshots lived before they joined the card group; kept as aliases
    /// (same handlers, same filter) for clients written against them.
    /// </summary>
    public const string BoardWindowAlias = "/api/boards/{boardId:guid}/windows/{windowId}";

    /// <summary>A group under <paramref name="prefix"/> whose handlers read their card with <see cref="Card"/>.</summary>
    public static RouteGroupBuilder MapCardGroup(this IEndpointRouteBuilder app, string prefix = Prefix)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGroup(prefix).RequireAuthorization().WithTags("Cards").AddEndpointFilter<CardFilter>();
    }

    /// <summary>The card the group's filter resolved for this request.</summary>
    public static CardInstance Card(this HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<CardInstance>()
            ?? throw new InvalidOperationException("This endpoint is not in a card group, so no card was resolved.");
    }

    public static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.CardNotFound, "There is no such card on your boards.");

    private sealed class CardFilter(CardAccess access) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var card = Guid.TryParse(http.GetRouteValue("boardId") as string, out var boardId) && http.GetRouteValue("windowId") is string windowId
                ? await access.FindAsync(http.User.UserId(), boardId, windowId, http.RequestAborted)
                : null;
            if (card is null)
            {
                return NotFound();
            }

            http.Features.Set(card);
            return await next(context);
        }
    }
}
