using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Auth;

internal static class AuthApi
{
    public const string AdminPolicy = "admin";

    private const string SuppressUseHttpContextAsAuthorizationResource = "Microsoft.AspNetCore.Authorization.SuppressUseHttpContextAsAuthorizationResource";

    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddScoped<AccountService>();
        services.AddScoped<SetupTokenService>();
        services.AddSingleton<SessionCache>();
        // Hub connections outlive the request that opened them: their sessions are checked too.
        services.AddSingleton<HubSessions>();
        services.AddHostedService<HubSessionSweeper>();
        services.AddOptions<HubOptions>().Configure<HubSessions>((o, hubs) => o.AddFilter(hubs));
        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "labyrinth.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = SessionValidation.Lifetime;
                o.SlidingExpiration = true;
                // An API answers 401/403; only the SPA decides where a person goes.
                o.Events.OnRedirectToLogin = ctx => WriteStatus(ctx.HttpContext, StatusCodes.Status401Unauthorized, "auth.required", "Sign in to continue.");
                o.Events.OnRedirectToAccessDenied = ctx => WriteStatus(ctx.HttpContext, StatusCodes.Status403Forbidden, "auth.forbidden", "Your account is not allowed to do this.");
                o.Events.OnValidatePrincipal = SessionValidation.ValidateAsync;
            });
        // After AddCookie, so it wraps the ticket format the cookie handler's own set-up chose.
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, CachedTicketFormat.Setup>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));
        // ASP.NET Core's authorization middleware reads this switch on every request. Unset, the
        // read misses the switch table and falls through to the runtime's property store under a
        // second lock, which showed in the profile of a card write; set to its default (the request
        // is the resource authorization handlers see), it is answered by the first lookup.
        AppContext.SetSwitch(SuppressUseHttpContextAsAuthorizationResource, false);

        return services;
    }

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var setup = app.MapGroup("/api/setup").WithTags("Setup");
        setup.MapGet("/status", GetSetupStatus);
        setup.MapPost("/", CompleteSetup).RequireLoginRateLimit();

        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", Login).RequireLoginRateLimit();
        auth.MapPost("/logout", (Delegate)Logout);
        auth.MapGet("/me", Me).RequireAuthorization();
        auth.MapGet("/session", GetSession);
        // The cookie session only: a personal access token must not be able to take over the account.
        auth.MapPost("/password", ChangePassword).RequireLoginRateLimit()
            .RequireAuthorization(p => p.AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        return app;
    }

    /// <summary>
    /// Sign-in attempts per client address (<c>Labyrinth:LoginAttemptsPerMinute</c>), counted across
    /// every instance: spreading guesses over a cluster buys nothing.
    /// </summary>
    private static RouteHandlerBuilder RequireLoginRateLimit(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var perMinute = http.RequestServices.GetRequiredService<IOptions<LabyrinthOptions>>().Value.LoginAttemptsPerMinute;
            var key = "login:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            var decision = await http.RequestServices.GetRequiredService<Cluster.IRateLimits>()
                .TryTakeAsync(key, new Cluster.RateLimit(perMinute, perMinute), http.RequestAborted);
            if (!decision.Allowed)
            {
                http.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.AuthRateLimited,
                    "Too many sign-in attempts. Wait a minute and try again.");
            }

            return await next(context);
        });

    private static async Task<Ok<SetupStatusDto>> GetSetupStatus(AccountService accounts, CancellationToken ct) =>
        TypedResults.Ok(new SetupStatusDto(!await accounts.AnyUsersAsync(ct)));

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult, ValidationProblem>> CompleteSetup(
        SetupRequest request, AccountService accounts, SetupTokenService tokens, LabyrinthDb db, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        if (await accounts.AnyUsersAsync(ct))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.SetupAlreadyDone, "Setup is already done. Sign in instead.");
        }

        var errors = AccountRules.Check(request.UserName, request.Password);
        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The account details are not valid.", errors);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (string.IsNullOrEmpty(request.Token) || !await tokens.ConsumeAsync(request.Token, ct))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SetupInvalidToken,
                "This setup link is wrong, expired or already used. Restart the server: its start-up log shows the link that works now.");
        }

        var user = await accounts.CreateAsync(request.UserName!, request.Password!, Roles.Admin, ct);
        await audit.AppendAsync(AuditActions.SystemActor, UserAuditActions.Create, null, new { userId = user.Id, userName = user.UserName, role = user.Role, reason = "first-run setup" }, ct);
        await tx.CommitAsync(ct);
        await AccountService.SignInAsync(http, user);
        return TypedResults.Ok(AccountService.ToDto(user));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Login(LoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var user = string.IsNullOrEmpty(request.UserName) || string.IsNullOrEmpty(request.Password)
            ? null
            : await accounts.VerifyAsync(request.UserName, request.Password, ct);
        if (user is null)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.AuthInvalidCredentials, "The user name or password is wrong.");
        }

        if (user.DisabledAt is not null)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.AuthAccountDisabled, "This account is disabled. An administrator can enable it again.");
        }

        await AccountService.SignInAsync(http, user);
        return TypedResults.Ok(AccountService.ToDto(user));
    }

    private static async Task<NoContent> Logout(HttpContext http, LabyrinthDb db, TimeProvider clock, CancellationToken ct)
    {
        await SessionValidation.SignOutAsync(http, db, clock, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserDto>, UnauthorizedHttpResult>> Me(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var user = await accounts.FindAsync(http.User.UserId(), ct);
        return user is null ? TypedResults.Unauthorized() : TypedResults.Ok(AccountService.ToDto(user));
    }

    /// <summary>
    /// Who is signed in, answered without a 401 when nobody is: the sign-in page asks on every
    /// visit and an expected "no" must not show up as a failed request in the browser console.
    /// </summary>
    private static async Task<Ok<SessionDto>> GetSession(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var rules = new PasswordRuleDto(AccountRules.MinPasswordLength, AccountRules.MaxPasswordLength);
        var user = http.User.Identity?.IsAuthenticated == true ? await accounts.FindAsync(http.User.UserId(), ct) : null;
        var needsSetup = user is null && !await accounts.AnyUsersAsync(ct);
        return TypedResults.Ok(new SessionDto(user is not null, user is null ? null : AccountService.ToDto(user), needsSetup, rules));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, AccountService accounts, LabyrinthDb db, AuditLog audit, CancellationToken ct)
    {
        var user = await accounts.FindAsync(http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "auth.required", "Sign in to continue.");
        }

        if (string.IsNullOrEmpty(request.CurrentPassword) || !await accounts.CheckPasswordAsync(user, request.CurrentPassword, ct))
        {
            return Problems.Validation(ErrorCodes.AuthWrongPassword, "The current password is wrong.",
                new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] });
        }

        if (AccountRules.CheckPassword(request.NewPassword) is { } problem)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The new password is not valid.", new Dictionary<string, string[]> { ["newPassword"] = [problem] });
        }

        accounts.SetPassword(user, request.NewPassword!);
        await audit.AppendAsync(user.UserName, UserAuditActions.PasswordChange, null, new { userId = user.Id, userName = user.UserName }, ct);
        // Other sessions end (their stamp is old); this one carries on with the new stamp.
        await AccountService.SignInAsync(http, user);
        return TypedResults.NoContent();
    }

    private static Task WriteStatus(HttpContext http, int status, string code, string detail) =>
        Problems.Create(status, code, detail).ExecuteAsync(http);
}
