using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
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
        return app.MapGroup(prefix).RequireAuthorization().WithTags("Cards").AddEndpointFilterFactory(CardFilter.Create);
    }

    /// <summary>
    /// Lets a route answer for a card whose plugin is limited to groups the caller is not in (seeing
    /// and revoking what it holds, its picture); every other card route answers 403
    /// <c>plugin.not_available</c> for such a card.
    /// </summary>
    public static TBuilder EvenWhenUnavailable<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(EvenWhenUnavailableMarker.Instance);
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

    public static ProblemHttpResult NotAvailable(string pluginId) =>
        Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.PluginNotAvailable, $"The plugin \"{pluginId}\" is not available to you.");

    private sealed class EvenWhenUnavailableMarker
    {
        public static readonly EvenWhenUnavailableMarker Instance = new();
    }

    /// <summary>
    /// Built once per endpoint, when its delegate is built: a filter type added with
    /// <c>AddEndpointFilter&lt;T&gt;</c> is activated from the request's services on every request
    /// (an object, an argument array, a lookup per constructor parameter) though nothing in it is
    /// per request but the scoped <see cref="CardAccess"/>.
    /// </summary>
    private static class CardFilter
    {
        public static EndpointFilterDelegate Create(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
        {
            var epochs = factory.ApplicationServices.GetRequiredService<DataEpochs>();
            return async context =>
            {
                var http = context.HttpContext;
                var card = Guid.TryParse(http.GetRouteValue("boardId") as string, out var boardId) && http.GetRouteValue("windowId") is string windowId
                    ? await http.RequestServices.GetRequiredService<CardAccess>().FindAsync(
                        http.User.UserId(), boardId, windowId, await epochs.ForRequestAsync(http, http.RequestAborted), http.RequestAborted)
                    : null;
                if (card is null)
                {
                    return NotFound();
                }

                if (card.Unavailable && http.GetEndpoint()?.Metadata.GetMetadata<EvenWhenUnavailableMarker>() is null)
                {
                    return NotAvailable(card.PluginId);
                }

                http.Features.Set(card);
                return await next(context);
            };
        }
    }
}
