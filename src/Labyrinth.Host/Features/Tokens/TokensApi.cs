using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Tokens;

internal sealed record TokenDto(Guid Id, string Name, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt);

internal sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);

internal sealed record CreatedTokenDto(Guid Id, string Name, string Token, DateTime CreatedAt, DateTime? ExpiresAt);

[Audit.AuditActionCatalogue]
internal static class TokenAuditActions
{
    public const string Create = "token.create";
    public const string Revoke = "token.revoke";
}

/// <summary>
/// Personal access tokens for the CLI: <c>Authorization: Bearer lab_pat_…</c>. Stored as SHA-256
/// only, shown once. Managing tokens needs the cookie session, so a leaked token cannot mint more.
/// </summary>
internal static class TokensApi
{
    public const string Prefix = "lab_pat_";
    public const string BearerScheme = "LabyrinthToken";
    public const string SelectorScheme = "Labyrinth";
    private const int MaxTokensPerUser = 50;

    /// <summary>The longest lifetime a token can ask for; no <c>expiresInDays</c> means no expiry.</summary>
    public const int MaxExpiryDays = 366;

    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, PersonalAccessTokenHandler>(BearerScheme, null)
            .AddPolicyScheme(SelectorScheme, "Cookie or personal access token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme);

        // Runs after AddAuth's AddAuthentication(cookie), so the selector becomes the default.
        services.Configure<AuthenticationOptions>(o => o.DefaultScheme = SelectorScheme);
        return services;
    }

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("Tokens")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        tokens.MapGet("/", List);
        tokens.MapPost("/", Create);
        tokens.MapDelete("/{id:guid}", Revoke);
        return app;
    }

    private static async Task<Ok<TokenDto[]>> List(LabyrinthDb db, HttpContext http, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var rows = await db.PersonalAccessTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(t => new TokenDto(t.Id, t.Name, t.CreatedAt, t.LastUsedAt, t.ExpiresAt)).ToArray());
    }

    private static async Task<Results<Created<CreatedTokenDto>, ValidationProblem, ProblemHttpResult>> Create(
        CreateTokenRequest request, LabyrinthDb db, HttpContext http, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return Problems.Validation("The token needs a name.", "name", "A token name is 1 to 100 characters.");
        }

        if (request.ExpiresInDays is < 1 or > MaxExpiryDays)
        {
            return Problems.Validation("The expiry is not valid.", "expiresInDays", $"A token lasts 1 to {MaxExpiryDays} days, or leave it out for no expiry.");
        }

        var userId = http.User.UserId();
        // The count and the insert it allows in one transaction, under this person's limit lock:
        // parallel requests (on this instance or another) would otherwise all see room for one more.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TransactionLocks.TakeAsync(db, TransactionLock.CountLimit, $"tokens\n{userId:N}", ct);
        if (await db.PersonalAccessTokens.CountAsync(t => t.UserId == userId, ct) >= MaxTokensPerUser)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.TokenTooMany, $"You already have {MaxTokensPerUser} access tokens, the most one account may hold; revoke one first.");
        }

        var token = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new PersonalAccessTokenEntity
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Name = name,
            TokenHash = Ids.Sha256Hex(token),
            CreatedAt = now,
            ExpiresAt = request.ExpiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.PersonalAccessTokens.Add(row);
        await audit.AppendAsync(http.Actor(), TokenAuditActions.Create, null, new { tokenId = row.Id, name, expiresAt = row.ExpiresAt }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/tokens/{row.Id}", new CreatedTokenDto(row.Id, row.Name, token, row.CreatedAt, row.ExpiresAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, LabyrinthDb db, HttpContext http, AuditLog audit, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var row = await db.PersonalAccessTokens.SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId, ct);
        if (row is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.TokenNotFound, "You have no token with that id.");
        }

        db.PersonalAccessTokens.Remove(row);
        await audit.AppendAsync(http.Actor(), TokenAuditActions.Revoke, null, new { tokenId = row.Id, name = row.Name }, ct);
        return TypedResults.NoContent();
    }



}

/// <summary>Authenticates <c>Bearer lab_pat_…</c> by hash lookup; the user's current role applies.</summary>
internal sealed class PersonalAccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, LabyrinthDb db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(TokensApi.Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return AuthenticateResult.Fail("Not a Labyrinth personal access token.");
        }

        var hash = Ids.Sha256Hex(token);
        var found = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { t.Id, t.LastUsedAt, t.ExpiresAt, User = u })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked token.");
        }

        // Looked up on every request, so disabling the account or reaching the expiry stops the token at once.
        var now = clock.GetUtcNow().UtcDateTime;
        if (found.User.DisabledAt is not null)
        {
            return AuthenticateResult.Fail("The token's account is disabled.");
        }

        if (found.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return AuthenticateResult.Fail("The token has expired.");
        }

        if (found.LastUsedAt is null || now - found.LastUsedAt.Value > TimeSpan.FromSeconds(30))
        {
            await db.PersonalAccessTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, found.User.Id.ToString()),
                new Claim(ClaimTypes.Name, found.User.UserName),
                new Claim(ClaimTypes.Role, found.User.Role),
                new Claim("lab_token_id", found.Id.ToString()),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.AuthInvalidToken, "The access token is unknown, revoked, expired or malformed, or its account is disabled.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Create(StatusCodes.Status403Forbidden, "auth.forbidden", "Your account is not allowed to do this.").ExecuteAsync(Context);
}
