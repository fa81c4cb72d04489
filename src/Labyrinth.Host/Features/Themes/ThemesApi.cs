using Labyrinth.Host.Features.Plugins;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Themes;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Labyrinth.Host.Features.Themes;

/// <summary>Themes (docs/api.md "Themes"): list, choose, admin default, validate.</summary>
internal static class ThemesApi
{
    public static IServiceCollection AddThemes(this IServiceCollection services)
    {
        services.AddScoped<ThemeService>();
        return services;
    }

    public static IEndpointRouteBuilder MapThemes(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Themes").RequireAuthorization();
        api.MapGet("/themes", List);
        api.MapPut("/me/theme", Choose);
        api.MapPost("/themes/validate", ValidateAsync);
        app.MapPut("/api/admin/themes/default", SetDefault).WithTags("Themes").RequireAuthorization(AuthApi.AdminPolicy);
        return app;
    }

    private static async Task<Ok<ThemesDto>> List(
        ThemeService themes, CardOrigins origins, CardCapabilities capabilities, PluginCatalog catalog, Rollouts.PluginAccess access, HttpContext http, CancellationToken ct)
    {
        // A theme's preview is a plugin file: it lives under this person's capability URL for that version.
        var urls = new CardUrls(origins, http.Request, capabilities, access, http.User.UserId());
        return TypedResults.Ok(await themes.ListAsync(http.User.UserId(),
            (id, version) => catalog.Find(id) is { } plugin ? urls.Base(plugin, version) : origins.OriginFor(http.Request, id, version), ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Choose(ChooseThemeRequest body, ThemeService themes, HttpContext http, CancellationToken ct) =>
        await themes.ChooseAsync(http.User.UserId(), body.ThemeId, ct) ? TypedResults.NoContent() : NotFound(body.ThemeId);

    private static async Task<Results<NoContent, ProblemHttpResult>> SetDefault(ChooseThemeRequest body, ThemeService themes, HttpContext http, CancellationToken ct) =>
        await themes.SetDefaultAsync(http.Actor(), body.ThemeId, ct) ? TypedResults.NoContent() : NotFound(body.ThemeId);

    private static ProblemHttpResult NotFound(string? themeId) => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ThemeNotFound,
        $"There is no theme \"{Shorten(themeId)}\" (it may belong to a plugin that was disabled or removed). GET /api/themes lists the themes.");

    private static string Shorten(string? s) => s is null ? "" : s.Length > 100 ? s[..100] + "…" : s;

    /// <summary>Reads the raw body (capped) so the validator sees exactly what the author wrote: duplicate keys, every pointer.</summary>
    private static async Task<Results<Ok<ThemeValidDto>, ProblemHttpResult>> ValidateAsync(HttpContext http, CancellationToken ct)
    {
        var body = await RequestBodies.ReadCappedAsync(http.Request, ThemeValidator.MaxThemeBytes, ct);
        IReadOnlyList<PointerProblem> problems = body is null
            ? [new PointerProblem("", $"The theme is larger than {ThemeValidator.MaxThemeBytes} bytes.")]
            : ThemeValidator.Validate(body).Problems;
        if (problems.Count == 0)
        {
            return TypedResults.Ok(new ThemeValidDto(true));
        }

        var detail = problems.Count == 1 ? $"{problems[0].Pointer}: {problems[0].Message}" : $"The theme has {problems.Count} problems.";
        return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ThemeInvalid, detail,
            new Dictionary<string, object?> { ["problems"] = ThemeService.ToDto(problems) });
    }
}
