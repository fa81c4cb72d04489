using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Every API and hub route the host maps, today's and any added later, asked by someone who should
/// get nothing: a signed-out browser gets no answer but the sign-in and setup routes', and a member
/// gets 403 from every administrator's route. Route values are made up: authorization runs before
/// any handler, so what a route would find does not change who may reach it.
/// </summary>
public sealed class RouteSweepTests(SharedApp shared) : IClassFixture<SharedApp>
{
    /// <summary>What a signed-out browser may reach: setup, sign-in and its own session state.</summary>
    private static readonly HashSet<string> Anonymous = new(StringComparer.Ordinal)
    {
        "GET /api/setup/status",
        "POST /api/setup",
        "POST /api/auth/login",
        "POST /api/auth/logout",
        "GET /api/auth/session",
    };

    [Fact]
    public async Task EveryApiAndHubRoute_SignedOut_AnswersNothingButSignInAndSetup()
    {
        using var signedOut = await shared.App.CreateClientAsync();
        var routes = Routes(e => true);

        var answered = new List<string>();
        foreach (var (method, pattern, _) in routes)
        {
            using var response = await RouteRequests.SendAsync(signedOut, method, RouteRequests.Fill(pattern));
            if ((int)response.StatusCode < 400 && !Anonymous.Contains(Key(method, pattern)))
            {
                answered.Add($"{Key(method, pattern)}: {(int)response.StatusCode}");
            }
        }

        Assert.True(routes.Count >= 100, $"Only {routes.Count} routes found.");
        Assert.Empty(answered);
    }

    [Fact]
    public async Task EveryAdminRoute_AsAMember_Answers403()
    {
        var member = await shared.UserAsync();
        var routes = Routes(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Features.Auth.AuthApi.AdminPolicy));
        var unguarded = Routes(e => true).Where(r => r.Pattern.RawText!.StartsWith("/api/admin", StringComparison.Ordinal) && !routes.Contains(r)).ToList();

        var answers = new List<string>();
        foreach (var (method, pattern, _) in routes)
        {
            using var response = await RouteRequests.SendAsync(member, method, RouteRequests.Fill(pattern));
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                answers.Add($"{Key(method, pattern)}: {(int)response.StatusCode}");
            }
        }

        Assert.True(routes.Count >= 40, $"Only {routes.Count} admin routes found.");
        Assert.Empty(unguarded.Select(r => Key(r.Method, r.Pattern)));
        Assert.Empty(answers);
    }

    private List<(string Method, RoutePattern Pattern, RouteEndpoint Endpoint)> Routes(Func<RouteEndpoint, bool> where) =>
        shared.App.Services.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/hubs/", StringComparison.Ordinal)))
            .Where(where)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern, e)))
            .DistinctBy(r => Key(r.m, r.RoutePattern))
            .OrderBy(r => r.RoutePattern.RawText, StringComparer.Ordinal).ThenBy(r => r.m, StringComparer.Ordinal)
            .ToList();

    private static string Key(string method, RoutePattern pattern) => $"{method} {pattern.RawText!.TrimEnd('/')}";
}
