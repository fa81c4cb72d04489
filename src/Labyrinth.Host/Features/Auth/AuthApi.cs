using System.Threading.RateLimiting;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Auth;

internal static class AuthApi
{
    public const string LoginRateLimitPolicy = "login";
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddScoped<AccountService>();
        services.AddScoped<SetupTokenService>();
        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "labyrinth.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // An API answers 401/403; only the SPA decides where a person goes.
                o.Events.OnRedirectToLogin = ctx => WriteStatus(ctx.HttpContext, StatusCodes.Status401Unauthorized, "auth.required", "Sign in to continue.");
                o.Events.OnRedirectToAccessDenied = ctx => WriteStatus(ctx.HttpContext, StatusCodes.Status403Forbidden, "auth.forbidden", "Your account is not allowed to do this.");
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.AuthRateLimited,
                    "Too many sign-in attempts. Wait a minute and try again.").ExecuteAsync(ctx.HttpContext);
            };
            o.AddPolicy(LoginRateLimitPolicy, http =>
            {
                var limit = http.RequestServices.GetRequiredService<IOptions<LabyrinthOptions>>().Value.LoginAttemptsPerMinute;
                var key = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var setup = app.MapGroup("/api/setup").WithTags("Setup");
        setup.MapGet("/status", GetSetupStatus);
        setup.MapPost("/", CompleteSetup).RequireRateLimiting(LoginRateLimitPolicy);

        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", Login).RequireRateLimiting(LoginRateLimitPolicy);
        auth.MapPost("/logout", (Delegate)Logout);
        auth.MapGet("/me", Me).RequireAuthorization();

        var users = app.MapGroup("/api/admin/users").WithTags("Users").RequireAuthorization(AdminPolicy);
        users.MapGet("/", ListUsers);
        users.MapPost("/", CreateUser);
        return app;
    }

    private static async Task<Ok<SetupStatusDto>> GetSetupStatus(AccountService accounts, CancellationToken ct) =>
        TypedResults.Ok(new SetupStatusDto(!await accounts.AnyUsersAsync(ct)));

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult, ValidationProblem>> CompleteSetup(
        SetupRequest request, AccountService accounts, SetupTokenService tokens, LabyrinthDb db, HttpContext http, CancellationToken ct)
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
                "This setup link is invalid or was already used. Restart the server to print a new one.");
        }

        var user = await accounts.CreateAsync(request.UserName!, request.Password!, Roles.Admin, ct);
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

        await AccountService.SignInAsync(http, user);
        return TypedResults.Ok(AccountService.ToDto(user));
    }

    private static async Task<NoContent> Logout(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserDto>, UnauthorizedHttpResult>> Me(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var user = await accounts.FindAsync(http.User.UserId(), ct);
        return user is null ? TypedResults.Unauthorized() : TypedResults.Ok(AccountService.ToDto(user));
    }

    private static Ok<UserDto[]> ListUsers(LabyrinthDb db) =>
        TypedResults.Ok(db.Users.OrderBy(u => u.UserName).AsEnumerable().Select(AccountService.ToDto).ToArray());

    private static async Task<Results<Created<UserDto>, ProblemHttpResult, ValidationProblem>> CreateUser(
        CreateUserRequest request, AccountService accounts, CancellationToken ct)
    {
        var errors = AccountRules.Check(request.UserName, request.Password);
        var role = request.Role ?? Roles.Member;
        if (!Roles.IsKnown(role))
        {
            errors["role"] = ["The role must be \"admin\" or \"member\"."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(ErrorCodes.ValidationFailed, "The account details are not valid.", errors);
        }

        if (await accounts.ExistsAsync(request.UserName!, ct))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.UserExists, $"A user named \"{request.UserName}\" already exists.");
        }

        var user = await accounts.CreateAsync(request.UserName!, request.Password!, role, ct);
        return TypedResults.Created($"/api/admin/users/{user.Id}", AccountService.ToDto(user));
    }

    private static Task WriteStatus(HttpContext http, int status, string code, string detail) =>
        Problems.Create(status, code, detail).ExecuteAsync(http);
}
