using System.Globalization;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Boards;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Cards;

/// <summary>A card's state blob (docs/api.md "Boards"): the JSON a card saves with <c>setPayload</c>.</summary>
internal static class CardStateApi
{
    public static IServiceCollection AddCardState(this IServiceCollection services)
    {
        services.AddSingleton<CardStateWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<CardStateWriter>());
        return services;
    }

    public static RouteGroupBuilder MapCardState(this RouteGroupBuilder card)
    {
        ArgumentNullException.ThrowIfNull(card);
        card.MapGet("/payload", Get);
        card.MapPut("/payload", Put);
        return card;
    }

    private static async Task<Ok<PayloadDto>> Get(HttpContext http, LabyrinthDb db, CancellationToken ct)
    {
        var card = http.Card();
        var row = await db.CardPayloads.AsNoTracking().SingleOrDefaultAsync(p => p.BoardId == card.BoardId && p.WindowId == card.WindowId, ct);
        if (row is null)
        {
            return TypedResults.Ok(new PayloadDto(null, 0));
        }

        using var doc = JsonDocument.Parse(row.PayloadJson);
        return TypedResults.Ok(new PayloadDto(doc.RootElement.Clone(), row.Version));
    }

    /// <summary>
    /// Stores a card's state blob. It is written by untrusted plugin code, so the body is read
    /// with a hard cap before parsing rather than trusting Content-Length. The write is one
    /// statement: insert or bump the version, only if the window is still a card on a board of the
    /// caller's (the group's filter checked it; a layout save may have removed the card since),
    /// returning the new version; so concurrent writers never lose an acknowledged write, and each
    /// gets its own version. It is committed together with whatever other card states are waiting
    /// (<see cref="CardStateWriter"/>).
    /// </summary>
    private static async Task<Results<Ok<PayloadVersionDto>, ProblemHttpResult>> Put(
        HttpContext http, CardStateWriter writer, TimeProvider clock, IOptions<LabyrinthOptions> options, CancellationToken ct)
    {
        var card = http.Card();
        var limit = options.Value.MaxPayloadBytes;
        var body = await RequestBodies.ReadCappedAsync(http.Request, limit + 64, ct);
        if (body is null)
        {
            return TooLarge(limit);
        }

        string payloadJson;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("payload", out var payload))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PayloadInvalid, "The body must be {\"payload\": …}.");
            }

            payloadJson = payload.GetRawText();
        }
        catch (JsonException)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PayloadInvalid, "The card state is not valid JSON.");
        }

        if (Encoding.UTF8.GetByteCount(payloadJson) > limit)
        {
            return TooLarge(limit);
        }

        var version = await writer.WriteAsync(new CardStateWrite(card.BoardId, card.WindowId, card.UserId, payloadJson, clock.GetUtcNow().UtcDateTime));
        return version is { } v ? TypedResults.Ok(new PayloadVersionDto(v)) : CardRoutes.NotFound();
    }

    private static ProblemHttpResult TooLarge(int limit) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"Card state is limited to {limit} bytes of JSON (UTF-8)."));
}
